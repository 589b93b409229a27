/**
 * `pnpm bench:write-path` (`./onair bench write-path`): where a create and a publish decision spend their
 * time, on the embedded store and on PostgreSQL (issue 30's "profile first"). The main job runs as the
 * README runs it, with its traces sent to a local OTLP receiver and Node's CPU profiler on. It takes 300
 * sequential creates, a burst of creates 32 in flight, and 300 sequential publish decisions through the
 * node API (`POST /media-nodes/v1/publish`, the question nginx's callback asks).
 *
 * It prints, per store:
 * - the client's figures: sequential p50/p99, creates per second at 32 in flight, decisions p50/p99;
 * - the breakdown: for each span inside a create's (and a decision's) trace, its mean time per request and
 *   its share of the request's time (spans nest, so shares overlap: a parent includes its children);
 * - the CPU profile: the share of samples per package, and the functions with the most self time.
 *
 * Tracing and profiling cost time of their own: the figures here are for finding where time goes, not for
 * the goals (`pnpm bench http`, `scale` and `replicas` measure those without them).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { type ReceivedSpan, startOtlpReceiver } from "../test/support/OtlpReceiver.ts"

const MAIN = Path.resolve(import.meta.dirname, "../src/main.ts")
const ADMIN = `admin-${process.pid}`
const NODE_SECRET = "n".repeat(40)
const SEQUENTIAL = Number(process.env["ONAIR_BENCH_SEQUENTIAL"] ?? 300)
const BURST = Number(process.env["ONAIR_BENCH_BURST"] ?? 1_500)
const IN_FLIGHT = 32

const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}
const ms = (value: number) => `${value.toFixed(2)} ms`

/** The main job with `env`, profiled, once it says where it listens. */
const start = async (env: Record<string, string>, profileDir: string) => {
  const child = spawn(process.execPath, ["--cpu-prof", "--cpu-prof-dir", profileDir, MAIN], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ONAIR_MEDIA: "off", ONAIR_ADMIN_TOKEN: ADMIN, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the main job did not start:\n${output}`)), 60_000)
    const onData = (chunk: Buffer) => {
      output += String(chunk)
      const match = /OnAir API on (http:\/\/\S+)/.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.once("exit", (code) => reject(new Error(`the main job exited with ${code}:\n${output}`)))
  })
  return { child, url }
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGTERM")
  })

const json = async (url: string, method: string, token: string, body?: unknown) => {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`)
  return JSON.parse(text) as any
}

/**
 * Each span name's mean time per request and share of it, over the traces whose root `isRoot` picks and
 * that began inside `window` (epoch ms): the sequential requests, not the burst's queueing.
 */
const breakdown = (
  spans: ReadonlyArray<ReceivedSpan>,
  isRoot: (span: ReceivedSpan) => boolean,
  window: { readonly from: number; readonly to: number }
) => {
  const roots = spans.filter(
    (span) =>
      span.parentSpanId === undefined && isRoot(span) && span.startMs >= window.from && span.startMs <= window.to
  )
  const traces = new Set(roots.map((span) => span.traceId))
  const total = roots.reduce((sum, span) => sum + span.durationMs, 0)
  const byName = new Map<string, number>()
  for (const span of spans) {
    if (!traces.has(span.traceId) || span.parentSpanId === undefined) continue
    byName.set(span.name, (byName.get(span.name) ?? 0) + span.durationMs)
  }
  const rows = [...byName.entries()].sort((a, b) => b[1] - a[1])
  return { requests: roots.length, meanMs: total / Math.max(1, roots.length), rows, total }
}

const printBreakdown = (title: string, result: ReturnType<typeof breakdown>) => {
  console.log(`  ${title}: ${result.requests} traced, ${ms(result.meanMs)} each (the server's own span)`)
  for (const [name, sum] of result.rows.slice(0, 14)) {
    const share = (100 * sum) / Math.max(result.total, 1e-9)
    console.log(
      `    ${name.padEnd(48)} ${ms(sum / Math.max(1, result.requests)).padStart(10)}  ${share.toFixed(0).padStart(3)} %`
    )
  }
}

/** The CPU profile's samples by package and by function (self time). */
const printProfile = (profileDir: string, lastMillis: number) => {
  const file = Fs.readdirSync(profileDir).find((name) => name.endsWith(".cpuprofile"))
  if (file === undefined) return console.log("  (no CPU profile was written)")
  const profile = JSON.parse(Fs.readFileSync(Path.join(profileDir, file), "utf8")) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>
    samples: Array<number>
    timeDeltas: Array<number>
  }
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const byFunction = new Map<string, number>()
  const byPackage = new Map<string, number>()
  // Only the samples of the measured phase (the last `lastMillis` of the run), not start-up's module loading.
  let first = profile.samples.length
  for (let elapsed = 0; first > 0 && elapsed < lastMillis * 1000; ) elapsed += profile.timeDeltas[--first] ?? 0
  const samples = profile.samples.length - first
  for (const id of profile.samples.slice(first)) {
    const frame = nodes.get(id)?.callFrame
    if (frame === undefined) continue
    const where =
      /packages\/([a-z-]+)\//.exec(frame.url)?.[1] ??
      /apps\/([a-z-]+)\//.exec(frame.url)?.[1] ??
      /node_modules\/\.pnpm\/((?:@[^+]+\+)?[^@/]+)/.exec(frame.url)?.[1]?.replace("+", "/") ??
      (frame.url.startsWith("node:")
        ? "node"
        : frame.url.startsWith("wasm")
          ? "wasm (PGlite's PostgreSQL)"
          : frame.url === ""
            ? `(${frame.functionName || "program"})`
            : "other")
    byPackage.set(where, (byPackage.get(where) ?? 0) + 1)
    const name = `${frame.functionName || "(anonymous)"} ${Path.basename(frame.url)}:${frame.lineNumber + 1}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1)
  }
  const top = (map: Map<string, number>, count: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, n]) => `    ${name.padEnd(60)} ${((100 * n) / samples).toFixed(1).padStart(5)} %`)
  console.log(`  CPU profile (${samples} samples, the measured phase): by package`)
  for (const line of top(byPackage, 12)) console.log(line)
  console.log("  by function (self time)")
  for (const line of top(byFunction, 15)) console.log(line)
}

const measure = async (label: string, env: Record<string, string>) => {
  const otlp = await startOtlpReceiver()
  const profileDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-write-path-profile-"))
  const phase = { started: Date.now() }
  const windows = { creates: { from: 0, to: 0 }, decisions: { from: 0, to: 0 } }
  const { child, url } = await start(
    {
      ...env,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_SERVICE_NAME: "onair-bench",
      ONAIR_MEDIA_NODE_SECRET: NODE_SECRET
    },
    profileDir
  )
  try {
    await json(`${url}/admin/accounts/acct_bench/apps`, "POST", ADMIN, { id: "app_bench", name: "bench" })
    const token = (await json(`${url}/admin/accounts/acct_bench/tokens`, "POST", ADMIN, { apps: ["app_bench"] })).data
      .token as string
    const base = `${url}/accounts/acct_bench/realtime/kit/app_bench/livestreams`
    const create = async (i: number) => {
      const started = performance.now()
      const created = await json(base, "POST", token, { name: `bench ${i}` })
      return { took: performance.now() - started, key: created.data.stream_key as string }
    }
    for (let i = 0; i < 50; i++) await create(i)
    phase.started = Date.now()
    const sequential: Array<number> = []
    const keys: Array<string> = []
    for (let i = 0; i < SEQUENTIAL; i++) {
      const { took, key } = await create(i)
      sequential.push(took)
      keys.push(key)
    }
    windows.creates = { from: phase.started, to: Date.now() }
    let next = 0
    const burstStarted = performance.now()
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < BURST) {
          next++
          await create(next)
        }
      })
    )
    const perSecond = BURST / ((performance.now() - burstStarted) / 1000)

    // Publish decisions, as a node of its own asks them (nginx's on_publish on a node).
    const credential = execFileSync(process.execPath, [MAIN, "media-nodes", "credential", "bench-node"], {
      env: { ...process.env, ONAIR_MEDIA_NODE_SECRET: NODE_SECRET },
      encoding: "utf8"
    }).trim()
    const node = (operation: string, body: unknown) =>
      json(`${url}/media-nodes/v1/${operation}`, "POST", credential, body)
    await node("register", {
      bootId: "boot-bench1",
      follows: null,
      addresses: { rtmp: "rtmp://127.0.0.1:1/live", rtmps: null, playback: "http://127.0.0.1:2/hls" },
      capacity: 100_000,
      region: null
    })
    const decisions: Array<number> = []
    const decisionsFrom = Date.now()
    for (const [i, key] of keys.entries()) {
      const started = performance.now()
      const answer = await node("publish", {
        bootId: "boot-bench1",
        nginxRun: "0b0b0b0b",
        clientId: String(i + 1),
        streamName: key,
        address: "203.0.113.1"
      })
      decisions.push(performance.now() - started)
      if (answer.data._tag !== "Accepted") throw new Error(`publish ${i} was ${JSON.stringify(answer.data)}`)
    }
    windows.decisions = { from: decisionsFrom, to: Date.now() }

    console.log(`\n${label}`)
    console.log(
      `  creates: sequential p50 ${ms(percentile(sequential, 50))}, p99 ${ms(percentile(sequential, 99))}; ` +
        `${perSecond.toFixed(0)}/s at ${IN_FLIGHT} in flight (traced and profiled)`
    )
    console.log(
      `  publish decisions: p50 ${ms(percentile(decisions, 50))}, p99 ${ms(percentile(decisions, 99))} (traced and profiled)`
    )
  } finally {
    await stop(child)
  }
  const measuredMillis = Date.now() - phase.started
  // The exporter sends its last batch as the process stops.
  for (let tries = 0; tries < 50 && !otlp.spans.some((span) => span.name.includes("media-nodes")); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const isCreate = (span: ReceivedSpan) =>
    /POST/.test(span.name) && String(span.attributes["url.path"] ?? "").endsWith("/livestreams")
  const isDecision = (span: ReceivedSpan) =>
    String(span.attributes["url.path"] ?? "").endsWith("/media-nodes/v1/publish")
  printBreakdown("a sequential create, by span", breakdown(otlp.spans, isCreate, windows.creates))
  printBreakdown("a publish decision, by span", breakdown(otlp.spans, isDecision, windows.decisions))
  printProfile(profileDir, measuredMillis)
  Fs.rmSync(profileDir, { recursive: true, force: true })
  await otlp.close()
}

/** `ONAIR_BENCH_STORES`: which stores to measure (`embedded,postgres` by default). */
const stores = (process.env["ONAIR_BENCH_STORES"] ?? "embedded,postgres").split(",")

if (stores.includes("embedded")) {
  const embeddedDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-write-path-"))
  try {
    await measure("the embedded store", { ONAIR_DATA_DIR: embeddedDir, DATABASE_URL: "" })
  } finally {
    Fs.rmSync(embeddedDir, { recursive: true, force: true })
  }
}

if (stores.includes("postgres")) {
  const server =
    process.env["ONAIR_BENCH_DATABASE_URL"] ??
    execFileSync("bash", [Path.resolve(import.meta.dirname, "../../../scripts/postgres.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"]
    }).trim()
  const database = `onair_write_path_${process.pid}`
  execFileSync("psql", [server, "-qc", `CREATE DATABASE ${database}`])
  const url = new URL(server)
  url.pathname = `/${database}`
  const pgDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-write-path-pg-"))
  try {
    await measure("PostgreSQL", {
      DATABASE_URL: url.toString(),
      ONAIR_DATA_DIR: pgDir,
      ONAIR_SECRET_KEY: Buffer.alloc(32, 7).toString("base64")
    })
  } finally {
    execFileSync("psql", [server, "-qc", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`])
    Fs.rmSync(pgDir, { recursive: true, force: true })
  }
}
