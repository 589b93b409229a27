/**
 * The packages other teams install, released and used as they would: built, checked with publint and
 * @arethetypeswrong/cli from their packed tarballs, published with `changeset publish` to a real registry
 * (Verdaccio, started here, holding the @onair scope; npmjs serves the rest), then installed with plain npm into a
 * project outside the workspace, which type-checks a consumer file with `tsc`, runs a plain Node script
 * with the Promise client against a running OnAir (create, list, get), and receives a real webhook
 * delivery verified and decoded by @onair/webhooks.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { freePort, type MainJob, startMainJob, waitFor } from "@onair/test-support"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

const run = promisify(execFile)
const ROOT = Path.resolve(import.meta.dirname, "../../..")
const HERE = Path.resolve(import.meta.dirname, "..")
/** What other teams install; every other package stays private. */
/** The published packages: each one's folder under packages/, and its name under @onair/. */
const PUBLISHED = [
  { folder: "core", name: "core" },
  { folder: "http-api", name: "http-api" },
  { folder: "client", name: "client" },
  { folder: "webhook-receiver", name: "webhooks" }
] as const
const bin = (name: string) => Path.join(HERE, "node_modules", ".bin", name)

const lines = (child: ChildProcess) => {
  const seen: Array<string> = []
  child.stdout!.on("data", (chunk: Buffer) =>
    seen.push(
      ...String(chunk)
        .split("\n")
        .filter((line) => line !== "")
    )
  )
  return seen
}

describe("releasing the published packages through a registry, and using them from outside", () => {
  const scratch = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-release-"))
  const project = Path.join(scratch, "project")
  let registry: ChildProcess | undefined
  let registryUrl = ""
  let npmEnv: NodeJS.ProcessEnv = {}
  let job: MainJob | undefined
  let receiver: ChildProcess | undefined

  beforeAll(async () => {
    for (const { folder } of PUBLISHED)
      await run(process.execPath, [Path.join(ROOT, "scripts/build-package.ts")], {
        cwd: Path.join(ROOT, "packages", folder)
      })
    // A registry of our own for the @onair scope.
    const port = await freePort()
    registryUrl = `http://127.0.0.1:${port}/`
    Fs.writeFileSync(
      Path.join(scratch, "verdaccio.yaml"),
      [
        `storage: ${Path.join(scratch, "storage")}`,
        "auth:",
        "  htpasswd:",
        `    file: ${Path.join(scratch, "htpasswd")}`,
        "packages:",
        "  '@onair/*':",
        "    access: $all",
        "    publish: $authenticated",
        "log: { type: stdout, format: pretty, level: warn }",
        ""
      ].join("\n")
    )
    // Its log goes to a file: a pipe nobody reads would stall it once full.
    const log = Fs.openSync(Path.join(scratch, "verdaccio.log"), "w")
    registry = spawn(
      process.execPath,
      [
        Path.join(HERE, "node_modules/verdaccio/bin/verdaccio"),
        "--config",
        Path.join(scratch, "verdaccio.yaml"),
        "--listen",
        `127.0.0.1:${port}`
      ],
      { stdio: ["ignore", log, log] }
    )
    await waitFor(
      "the registry",
      async () =>
        (await fetch(`${registryUrl}-/ping`).then(
          (r) => r.ok,
          () => false
        ))
          ? true
          : undefined,
      60_000
    )
    // A publisher's account on it, as `npm adduser` makes one.
    const user = await fetch(`${registryUrl}-/user/org.couchdb.user:release`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "release", password: "release-test-password", type: "user", roles: [] })
    })
    const { token } = (await user.json()) as { token: string }
    // As a team with a registry of its own sets npm up: the @onair scope from it, everything else from npmjs.
    Fs.writeFileSync(
      Path.join(scratch, ".npmrc"),
      `@onair:registry=${registryUrl}\n//127.0.0.1:${port}/:_authToken=${token}\n`,
      { mode: 0o600 }
    )
    // npm and pnpm settings of the test's own run (pnpm passes its own as npm_config_*) stay out.
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)))
    npmEnv = { ...clean, NPM_CONFIG_USERCONFIG: Path.join(scratch, ".npmrc") }
  }, 300_000)

  afterAll(async () => {
    receiver?.kill("SIGTERM")
    registry?.kill("SIGTERM")
    await job?.stop()
    Fs.rmSync(scratch, { recursive: true, force: true })
  })

  it("each package's tarball: JavaScript and declarations only, passing publint and @arethetypeswrong/cli", async () => {
    const packs = Path.join(scratch, "packs")
    for (const { folder } of PUBLISHED) {
      await run("pnpm", ["pack", "--pack-destination", packs], { cwd: Path.join(ROOT, "packages", folder) })
    }
    const tarballs = Fs.readdirSync(packs).map((file) => Path.join(packs, file))
    assert.strictEqual(tarballs.length, PUBLISHED.length)
    for (const tarball of tarballs) {
      const publint = await run(bin("publint"), [tarball, "--strict"])
      assert.include(publint.stdout, "All good!", `${tarball}: ${publint.stdout}`)
      // Fails (exit code) on any problem in the ESM resolutions: a missing declaration, TypeScript exported as JavaScript.
      await run(bin("attw"), [tarball, "--profile", "esm-only", "--format", "ascii"])
    }
  })

  it("publishes with changeset publish, installs with plain npm, type-checks a consumer, and uses the client and the receiver kit against OnAir", async () => {
    // `changeset publish` asks the registry what it lacks and publishes it there.
    const published = await run(
      process.execPath,
      [Path.join(ROOT, "node_modules/@changesets/cli/bin.js"), "publish", "--no-git-tag"],
      {
        cwd: ROOT,
        env: { ...npmEnv, NPM_CONFIG_REGISTRY: registryUrl }
      }
    )
    for (const { name } of PUBLISHED) assert.include(published.stdout + published.stderr, `@onair/${name}`)
    const versions = Object.fromEntries(
      PUBLISHED.map(({ folder }) => {
        const manifest = JSON.parse(Fs.readFileSync(Path.join(ROOT, "packages", folder, "package.json"), "utf8")) as {
          name: string
          version: string
        }
        return [manifest.name, manifest.version]
      })
    )

    // A project outside the workspace, as another team's.
    Fs.mkdirSync(project, { recursive: true })
    Fs.writeFileSync(
      Path.join(project, "package.json"),
      JSON.stringify(
        {
          name: "another-team",
          private: true,
          type: "module",
          dependencies: { ...versions, effect: "4.1.0" },
          devDependencies: { typescript: "7.0.2", "@types/node": "24.19.2" }
        },
        null,
        2
      )
    )
    Fs.writeFileSync(
      Path.join(project, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            target: "ES2024",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            noEmit: true,
            types: ["node"],
            exactOptionalPropertyTypes: true,
            skipLibCheck: false
          }
        },
        null,
        2
      )
    )
    for (const file of ["consumer.ts", "use-client.mjs", "receive.mjs"])
      Fs.copyFileSync(Path.join(HERE, "consumer", file), Path.join(project, file))
    // npm as this machine's user runs it: with the Node it came with, so its own global settings (the CA
    // bundle of this network among them) apply, not the Node the workspace installed for itself.
    const machinePath = (process.env["PATH"] ?? "")
      .split(Path.delimiter)
      .filter((dir) => !dir.includes(`${Path.sep}.tools${Path.sep}`))
      .join(Path.delimiter)
    await run("npm", ["install", "--no-audit", "--no-fund"], {
      cwd: project,
      env: { ...npmEnv, PATH: machinePath },
      timeout: 300_000
    })
    for (const { name } of PUBLISHED) {
      const manifest = JSON.parse(
        Fs.readFileSync(Path.join(project, "node_modules/@onair", name, "package.json"), "utf8")
      ) as { exports: unknown }
      assert.notMatch(JSON.stringify(manifest.exports), /(?<!\.d)\.ts"/, `@onair/${name} exports no TypeScript source`)
      assert.isTrue(
        Fs.existsSync(Path.join(project, "node_modules/@onair", name, "dist/index.d.ts")),
        `@onair/${name} has its types`
      )
    }
    await run(process.execPath, [Path.join(project, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], {
      cwd: project
    })

    // Against a running OnAir: the Promise client from a plain Node script, and a webhook delivered to the
    // receiver the project runs.
    job = await startMainJob({ ONAIR_MEDIA: "off" })
    const receiverPort = await freePort()
    const endpoint = await job.api("POST", "/webhooks", {
      url: `http://127.0.0.1:${receiverPort}/onair`,
      events: ["livestream.*"]
    })
    assert.strictEqual(endpoint.status, 201, JSON.stringify(endpoint.body))
    receiver = spawn(process.execPath, ["receive.mjs"], {
      cwd: project,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ONAIR_WEBHOOK_SECRET: endpoint.body.data.secret, PORT: String(receiverPort) }
    })
    const events = lines(receiver)
    await waitFor("the receiver", async () => (events.some((line) => line.includes('"url"')) ? true : undefined))

    const used = await run(process.execPath, ["use-client.mjs", job.url, job.token, job.account, job.app], {
      cwd: project
    })
    const outcome = JSON.parse(used.stdout) as { created: string; listed: Array<string>; got: string }
    assert.include(outcome.listed, outcome.created)
    assert.strictEqual(outcome.got, outcome.created)
    const delivered = await waitFor(
      "a delivery verified and decoded",
      async () =>
        events
          .map((line) => JSON.parse(line) as { verdict?: string; type?: string })
          .find((e) => e.type === "livestream.status.changed"),
      60_000
    )
    assert.strictEqual(delivered.verdict, "apply")
  })
})
