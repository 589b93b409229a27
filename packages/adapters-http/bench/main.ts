/**
 * HTTP benchmark (`pnpm bench` here or at the root): GET one livestream and list 50 livestreams at 100
 * concurrent connections against the real main job (embedded database), next to a bare `node:http` server
 * answering the same JSON bytes from memory, measured in the same run in alternating rounds. Prints
 * requests per second, p50/p99 latency and the ratio. ONAIR_BENCH_SECONDS (default 4) per side.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { recordFigure } from "@onair/test-support"
import { load, type LoadFigures } from "./Load.ts"

const SECONDS = Number(process.env.ONAIR_BENCH_SECONDS ?? 4)
const ROUNDS = 2
const CONNECTIONS = 100
const MAIN = Path.resolve(import.meta.dirname, "../../../apps/api/src/main.ts")

const firstLine = (child: ChildProcess, pattern: RegExp) =>
  new Promise<string>((resolve, reject) => {
    let output = ""
    const timer = setTimeout(() => reject(new Error(`no match in 30 s:\n${output}`)), 30_000)
    const onData = (chunk: Buffer) => {
      output += String(chunk)
      const match = pattern.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
  })

const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-http-bench-"))
const env = { ...process.env, ONAIR_DATA_DIR: dataDir, PORT: "0", DATABASE_URL: "", ONAIR_ADMIN_TOKEN: "" }
const onair = spawn(process.execPath, [MAIN], { env, stdio: ["ignore", "pipe", "pipe"] })
let bare: ChildProcess | undefined
try {
  const onairUrl = await firstLine(onair, /OnAir API on (http:\/\/\S+)/)
  execFileSync(
    process.execPath,
    [MAIN, "apps", "create", "--account", "acct_bench", "--id", "app_1", "--name", "bench"],
    { env }
  )
  const token = execFileSync(
    process.execPath,
    [MAIN, "tokens", "create", "--account", "acct_bench", "--app", "app_1"],
    {
      env,
      encoding: "utf8"
    }
  ).trim()
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
  const base = "/accounts/acct_bench/realtime/kit/app_1/livestreams"
  let lastId = ""
  for (let i = 0; i < 60; i++) {
    const created = (await (
      await fetch(`${onairUrl}${base}`, { method: "POST", headers, body: JSON.stringify({ name: `bench ${i}` }) })
    ).json()) as { data: { id: string } }
    lastId = created.data.id
  }
  const paths = { get: `${base}/${lastId}`, list: `${base}?per_page=50` }
  const bodies: Record<string, string> = {}
  for (const path of Object.values(paths)) bodies[path] = await (await fetch(`${onairUrl}${path}`, { headers })).text()
  const bodiesFile = Path.join(dataDir, "bodies.json")
  Fs.writeFileSync(bodiesFile, JSON.stringify(bodies))
  bare = spawn(process.execPath, [Path.join(import.meta.dirname, "BareServer.ts"), bodiesFile], {
    stdio: ["ignore", "pipe", "pipe"]
  })
  const bareUrl = await firstLine(bare, /(http:\/\/\S+)/)

  const measure = async (url: string, withAuth: boolean) => {
    const runs: Array<LoadFigures> = []
    for (let round = 0; round < ROUNDS; round++) {
      runs.push(
        await load(url, { connections: CONNECTIONS, seconds: SECONDS / ROUNDS, ...(withAuth ? { headers } : {}) })
      )
    }
    return runs
  }
  // Warm both servers up, then alternate.
  await load(`${onairUrl}${paths.get}`, { connections: CONNECTIONS, seconds: 1, headers })
  await load(`${bareUrl}${paths.get}`, { connections: CONNECTIONS, seconds: 1 })
  console.log(
    `HTTP benchmark: ${CONNECTIONS} connections, ${SECONDS} s per side in ${ROUNDS} alternating rounds, ${Os.cpus().length} cores`
  )
  console.log("request          | OnAir req/s | p50 ms | p99 ms | bare req/s | p50 ms | p99 ms | ratio | errors")
  for (const [name, path] of Object.entries(paths)) {
    const onairRuns: Array<LoadFigures> = []
    const bareRuns: Array<LoadFigures> = []
    for (let round = 0; round < ROUNDS; round++) {
      onairRuns.push(...(await measure(`${onairUrl}${path}`, true).then((r) => r.slice(0, 1))))
      bareRuns.push(...(await measure(`${bareUrl}${path}`, false).then((r) => r.slice(0, 1))))
    }
    const sum = (runs: ReadonlyArray<LoadFigures>) => ({
      perSecond: runs.reduce((s, r) => s + r.perSecond, 0) / runs.length,
      p50: Math.max(...runs.map((r) => r.p50Ms)),
      p99: Math.max(...runs.map((r) => r.p99Ms)),
      errors: runs.reduce((s, r) => s + r.errors, 0)
    })
    const o = sum(onairRuns)
    const b = sum(bareRuns)
    const label = name === "get" ? "GET one livestream" : "GET list of 50   "
    console.log(
      `${label} | ${o.perSecond.toFixed(0).padStart(11)} | ${o.p50.toFixed(2).padStart(6)} | ${o.p99.toFixed(2).padStart(6)} | ` +
        `${b.perSecond.toFixed(0).padStart(10)} | ${b.p50.toFixed(2).padStart(6)} | ${b.p99.toFixed(2).padStart(6)} | ` +
        `${(o.perSecond / b.perSecond).toFixed(2).padStart(5)} | ${o.errors}`
    )
    const ratio = o.perSecond / b.perSecond
    recordFigure({
      bench: "http",
      measure: `${label.trim()}: req/s against bare node:http serving the same bytes`,
      value: `${ratio.toFixed(2)} (${o.perSecond.toFixed(0)} vs ${b.perSecond.toFixed(0)} req/s)`,
      target: ">= 0.60",
      met: ratio >= 0.6 && o.errors === 0
    })
    recordFigure({
      bench: "http",
      measure: `${label.trim()}: p99 at ${CONNECTIONS} connections`,
      value: `${o.p99.toFixed(1)} ms`,
      target: "< 20 ms",
      met: o.p99 < 20
    })
  }
  console.log(
    "targets: GET one livestream and GET list of 50 >= 0.60 of bare node:http; p99 under 20 ms at 100 connections"
  )
} finally {
  onair.kill("SIGTERM")
  bare?.kill("SIGTERM")
  await new Promise((resolve) => setTimeout(resolve, 500))
  Fs.rmSync(dataDir, { recursive: true, force: true })
}
