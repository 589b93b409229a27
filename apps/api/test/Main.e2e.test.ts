/**
 * The main job as a child process, as the README runs it: the API on the embedded database; a token made
 * by the CLI while it runs creates, lists and reads livestreams; bad CLI arguments get the usage and exit 2;
 * stopping it releases the data directory; the SQL read models rebuild from the log with one command.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { waitFor } from "@onair/test-support"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

const MAIN = Path.resolve(import.meta.dirname, "../src/main.ts")
const run = promisify(execFile)

/** The main job with `env`, once it says where it listens. */
const startServer = (env: NodeJS.ProcessEnv) => {
  const server = spawn(process.execPath, [MAIN], { env, stdio: ["ignore", "pipe", "pipe"] })
  return new Promise<{ server: ChildProcess; url: string }>((resolve, reject) => {
    let output = ""
    const timer = setTimeout(() => reject(new Error(`no URL in 30 s:\n${output}`)), 30_000)
    const onData = (chunk: Buffer) => {
      output += String(chunk)
      const match = /OnAir API on (http:\/\/\S+)/.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        resolve({ server, url: match[1]! })
      }
    }
    server.stdout!.on("data", onData)
    server.stderr!.on("data", onData)
    server.on("exit", (code) => reject(new Error(`the main job exited with ${code}:\n${output}`)))
  })
}

describe("the main job", () => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-main-"))
  const env = {
    ...process.env,
    ONAIR_DATA_DIR: dataDir,
    PORT: "0",
    DATABASE_URL: "",
    ONAIR_ADMIN_TOKEN: "",
    ONAIR_MEDIA: "off"
  }
  let server: ChildProcess
  let url = ""

  beforeAll(async () => {
    ;({ server, url } = await startServer(env))
  })

  afterAll(() => {
    if (server.exitCode === null) server.kill("SIGKILL")
    Fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it("serves the API; a token made by the CLI creates, lists and reads livestreams", async () => {
    // A token names apps that exist: first the app, then its token.
    const refused = await run(process.execPath, [MAIN, "tokens", "create", "--account", "acct_1", "--app", "app_1"], {
      env
    }).catch((error: { code: number; stderr: string }) => error)
    assert.notStrictEqual((refused as { code?: number }).code ?? 0, 0)
    assert.include((refused as { stderr: string }).stderr, "app app_1 of account acct_1 was not found")
    const app = await run(
      process.execPath,
      [MAIN, "apps", "create", "--account", "acct_1", "--id", "app_1", "--name", "Demo"],
      { env }
    )
    assert.strictEqual(app.stdout.trim(), "app_1")
    const { stdout } = await run(
      process.execPath,
      [MAIN, "tokens", "create", "--account", "acct_1", "--app", "app_1"],
      { env }
    )
    const token = stdout.trim()
    assert.match(token, /^onair_tok_\w{24}_[\w-]{43}$/)
    const base = `${url}/accounts/acct_1/realtime/kit/app_1/livestreams`
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
    const created: any = await (
      await fetch(base, { method: "POST", headers, body: JSON.stringify({ name: "from the CLI" }) })
    ).json()
    assert.strictEqual(created.data.status, "INVOKED")
    const list: any = await (await fetch(base, { headers })).json()
    assert.strictEqual(list.data.id, created.data.id)
    const detail = await fetch(`${base}/${created.data.id}`, { headers })
    assert.strictEqual(detail.status, 200)
    const openapi: any = await (await fetch(`${url}/openapi.json`)).json()
    assert.strictEqual(openapi.openapi, "3.1.0")
  })

  it("refuses bad CLI arguments with the reason, the usage and exit code 2", async () => {
    const cases = [
      ["tokens"],
      ["tokens", "create"],
      ["tokens", "create", "--account", "bad id"],
      ["tokens", "revoke", "x"],
      ["apps", "create", "--account", "acct_1"],
      ["secrets"],
      ["read-models", "drop"],
      ["nonsense"]
    ]
    // Each is a process of its own that exits before touching the data: they run side by side.
    const outcomes = await Promise.all(
      cases.map((args) =>
        run(process.execPath, [MAIN, ...args], { env }).then(
          () => undefined,
          (error) => error
        )
      )
    )
    cases.forEach((args, index) => {
      const failed = outcomes[index]
      assert.strictEqual(failed?.code, 2, args.join(" "))
      assert.include(failed.stderr, "usage:", args.join(" "))
    })
  })

  it("stops on SIGTERM and gives the data directory back", async () => {
    const exited = new Promise<number | null>((resolve) => server.on("exit", (code) => resolve(code)))
    server.kill("SIGTERM")
    await exited
    assert.isFalse(Fs.existsSync(Path.join(dataDir, "onair.lock")))
    assert.isFalse(Fs.existsSync(Path.join(dataDir, "local-admin.json")))
  })

  it("rebuilds the SQL read models from the log with one command once the job is stopped", async () => {
    const { stdout } = await run(process.execPath, [MAIN, "read-models", "rebuild"], { env })
    assert.match(stdout, /^catalog: 1 livestreams, 1 sessions, 0 meetings, rebuilt up to \d+\.\d+/)
  })
})

describe("the main job given ONAIR_ADMIN_TOKEN", () => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-main-"))
  const adminToken = `given-${"t".repeat(40)}`
  const env = {
    ...process.env,
    ONAIR_DATA_DIR: dataDir,
    PORT: "0",
    DATABASE_URL: "",
    ONAIR_ADMIN_TOKEN: adminToken,
    ONAIR_MEDIA: "off"
  }
  let server: ChildProcess

  beforeAll(async () => {
    ;({ server } = await startServer(env))
  })
  afterAll(() => {
    if (server.exitCode === null) server.kill("SIGKILL")
    Fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it("never writes the token to disk; the CLI takes it from its own environment", async () => {
    // Written just after the server says where it listens.
    const file = Path.join(dataDir, "local-admin.json")
    await waitFor("local-admin.json", async () => (Fs.existsSync(file) ? true : undefined))
    const written = Fs.readFileSync(file, "utf8")
    assert.match(written, /"url":"http:/)
    assert.notInclude(written, adminToken)
    // Nowhere else in the data folder either.
    const files = Fs.readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    for (const file of files) {
      assert.notInclude(
        Fs.readFileSync(Path.join(file.parentPath, file.name)).toString("latin1"),
        adminToken,
        file.name
      )
    }
    const without = await run(process.execPath, [MAIN, "apps", "create", "--account", "acct_1", "--name", "x"], {
      env: { ...env, ONAIR_ADMIN_TOKEN: "" }
    }).then(
      () => undefined,
      (error: { stderr: string }) => error
    )
    assert.include(without?.stderr ?? "", "set ONAIR_ADMIN_TOKEN for this command too")
    const made = await run(
      process.execPath,
      [MAIN, "apps", "create", "--account", "acct_1", "--id", "app_2", "--name", "x"],
      { env }
    )
    assert.strictEqual(made.stdout.trim(), "app_2")
  })
})

describe("the main job as it starts", () => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-main-"))
  let server: ChildProcess | undefined
  afterAll(() => {
    if (server !== undefined && server.exitCode === null) server.kill("SIGKILL")
    Fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it("answers every request that reaches it while it starts: none waits without an answer", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = Net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as Net.AddressInfo
        probe.close(() => resolve(port))
      })
    })
    server = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        ONAIR_DATA_DIR: dataDir,
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: "",
        ONAIR_MEDIA: "off"
      },
      stdio: "ignore"
    })
    // A request every 10 ms from the start until a second after the first 200 (60 s at most): each is refused
    // (no connection yet), or answered 200, or answered 503 with Retry-After. None may hang.
    const outcomes: Array<Promise<string>> = []
    const ask = () =>
      fetch(`http://127.0.0.1:${port}/openapi.json`, { signal: AbortSignal.timeout(5_000) }).then(
        async (response) => {
          await response.arrayBuffer()
          return response.status === 503
            ? `503 retry-after ${response.headers.get("retry-after")}`
            : String(response.status)
        },
        (error: Error & { cause?: { code?: string } }) =>
          error.name === "TimeoutError"
            ? "no answer"
            : error.cause?.code === "ECONNREFUSED"
              ? "refused"
              : `failed: ${error.cause?.code ?? error.message}`
      )
    const deadline = Date.now() + 60_000
    let servedAt: number | undefined
    while (Date.now() < deadline && (servedAt === undefined || Date.now() < servedAt + 1_000)) {
      const outcome = ask()
      outcomes.push(outcome)
      void outcome.then((answer) => {
        if (answer === "200" && servedAt === undefined) servedAt = Date.now()
      })
      // A pace (a request every 10 ms through the start), not a wait for something.
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const answers = await Promise.all(outcomes)
    const counts: Record<string, number> = {}
    for (const answer of answers) counts[answer] = (counts[answer] ?? 0) + 1
    console.log(`requests while the main job started: ${JSON.stringify(counts)}`)
    assert.isDefined(servedAt, JSON.stringify(counts))
    for (const answer of Object.keys(counts)) {
      assert.include(["refused", "200", "503 retry-after 1"], answer, JSON.stringify(counts))
    }
  })
})
