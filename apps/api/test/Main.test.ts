/**
 * The main job as a child process, as the README runs it: the API on the embedded database; a token made
 * by the CLI while it runs creates, lists and reads livestreams; bad CLI arguments get the usage and exit 2;
 * stopping it releases the data directory; the SQL read models rebuild from the log with one command.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

const MAIN = Path.resolve(import.meta.dirname, "../src/main.ts")
const run = promisify(execFile)

describe("the main job", () => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-main-"))
  const env = { ...process.env, ONAIR_DATA_DIR: dataDir, PORT: "0", DATABASE_URL: "", ONAIR_ADMIN_TOKEN: "", ONAIR_MEDIA: "off" }
  let server: ChildProcess
  let url = ""

  beforeAll(async () => {
    server = spawn(process.execPath, [MAIN], { env, stdio: ["ignore", "pipe", "pipe"] })
    url = await new Promise<string>((resolve, reject) => {
      let output = ""
      const timer = setTimeout(() => reject(new Error(`no URL in 30 s:\n${output}`)), 30_000)
      const onData = (chunk: Buffer) => {
        output += String(chunk)
        const match = /OnAir API on (http:\/\/\S+)/.exec(output)
        if (match !== null) {
          clearTimeout(timer)
          resolve(match[1]!)
        }
      }
      server.stdout!.on("data", onData)
      server.stderr!.on("data", onData)
      server.on("exit", (code) => reject(new Error(`the main job exited with ${code}:\n${output}`)))
    })
  })

  afterAll(() => {
    if (server.exitCode === null) server.kill("SIGKILL")
    Fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it("serves the API; a token made by the CLI creates, lists and reads livestreams", async () => {
    // A token names apps that exist: first the app, then its token.
    const refused = await run(process.execPath, [MAIN, "tokens", "create", "--account", "acct_1", "--app", "app_1"], { env }).catch((error: { code: number; stderr: string }) => error)
    assert.notStrictEqual((refused as { code?: number }).code ?? 0, 0)
    assert.include((refused as { stderr: string }).stderr, "app app_1 of account acct_1 was not found")
    const app = await run(process.execPath, [MAIN, "apps", "create", "--account", "acct_1", "--id", "app_1", "--name", "Demo"], { env })
    assert.strictEqual(app.stdout.trim(), "app_1")
    const { stdout } = await run(process.execPath, [MAIN, "tokens", "create", "--account", "acct_1", "--app", "app_1"], { env })
    const token = stdout.trim()
    assert.match(token, /^onair_tok_\w{24}_[\w-]{43}$/)
    const base = `${url}/accounts/acct_1/realtime/kit/app_1/livestreams`
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
    const created: any = await (await fetch(base, { method: "POST", headers, body: JSON.stringify({ name: "from the CLI" }) })).json()
    assert.strictEqual(created.data.status, "INVOKED")
    const list: any = await (await fetch(base, { headers })).json()
    assert.strictEqual(list.data.id, created.data.id)
    const detail = await fetch(`${base}/${created.data.id}`, { headers })
    assert.strictEqual(detail.status, 200)
    const openapi: any = await (await fetch(`${url}/openapi.json`)).json()
    assert.strictEqual(openapi.openapi, "3.1.0")
  })

  it("refuses bad CLI arguments with the reason, the usage and exit code 2", async () => {
    for (const args of [["tokens"], ["tokens", "create"], ["tokens", "create", "--account", "bad id"], ["tokens", "revoke", "x"], ["apps", "create", "--account", "acct_1"], ["secrets"], ["read-models", "drop"], ["nonsense"]]) {
      const failed = await run(process.execPath, [MAIN, ...args], { env }).then(() => undefined, (error) => error)
      assert.strictEqual(failed?.code, 2, args.join(" "))
      assert.include(failed.stderr, "usage:", args.join(" "))
    }
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
