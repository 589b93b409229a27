/**
 * `pnpm bench:scale`: how OnAir behaves as history grows. The log is grown through the store's own append
 * (fast: units of work made by the core's workflow on a tiny in-memory world, appended in large batches) to
 * 10k livestreams, measured, then grown to `ONAIR_SCALE_LIVESTREAMS` (default 100,000; 1,000,000 for the
 * issue's figure) and measured again, on a fresh PostgreSQL database (the server `scripts/postgres.sh`
 * starts, or `ONAIR_BENCH_DATABASE_URL`). Each livestream is created, published and ended (window 0): 11
 * events over its livestream, session and ingest streams, as the core writes them.
 *
 * Measured through HTTP on the real main job (media off, webhooks left to workers as on a PostgreSQL
 * deployment): start-up (spawn to listening), the catalog catching up with what was grown while it was
 * stopped, settled RSS, a restart, p50/p99 of 300 sequential requests per endpoint; then the webhook
 * workers: the outbox catching up, a restarted worker's first webhook, a standby's takeover. Each figure
 * is printed next to the 10k figure of the same run as a ratio.
 */
import {
  AccountId,
  AppId,
  IngestId,
  LivestreamId,
  SessionId,
  type Signal,
  type StreamAppend,
  StreamKey,
  Timestamp
} from "@onair/core"
import { Database, DomainEvents } from "@onair/event-store"
import { apply, empty, type World } from "@onair/simulation"
import { ACCOUNT, APP, type MainJob, type Receiver, startMainJob, startReceiver, WORKER } from "@onair/test-support"
import { EventStore, originMetadata } from "@onair/core"
import { Effect, Layer, ManagedRuntime, Redacted, Result } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"

const TARGET = Number(process.env["ONAIR_SCALE_LIVESTREAMS"] ?? 100_000)
const BASELINE = Math.min(10_000, TARGET)
const BATCH = 500
const SAMPLES = 300
const T0 = Date.UTC(2026, 0, 1)

const serverUrl = () =>
  process.env["ONAIR_BENCH_DATABASE_URL"] ??
    execFileSync("bash", [Path.resolve(import.meta.dirname, "../../../scripts/postgres.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim()

/** One livestream's units of work: created, published, unpublished (window 0: the session stops). */
const livestreamUnits = (i: number) => {
  let world: World = empty(Timestamp.make(T0 + i * 1000))
  const livestreamId = LivestreamId.make(crypto.randomUUID())
  const streamKey = StreamKey.make(crypto.randomUUID().replaceAll("-", "") + "scale")
  const ingestId = IngestId.make(`nginx.scale.${i}`)
  const at = (seconds: number) => Timestamp.make(T0 + i * 1000 + seconds * 1000)
  const signals: ReadonlyArray<Signal> = [
    {
      _tag: "CreateLivestream", livestreamId, at: at(0), accountId: AccountId.make(ACCOUNT), appId: AppId.make(APP),
      name: `scale ${i}`, meetingId: null, videoConfig: null, streamKey, reconnectWindowSeconds: 0,
      limits: { startTimeoutSeconds: 3600, maxDurationSeconds: 43_200 }, sessionId: SessionId.make(crypto.randomUUID())
    },
    { _tag: "Publish", at: at(1), ingestId, streamKey, publisher: { ip: "203.0.113.9", port: 0 }, sessionId: SessionId.make(crypto.randomUUID()) },
    { _tag: "Unpublish", at: at(61), ingestId }
  ]
  const changes = []
  for (const signal of signals) {
    const applied = apply(world, signal)
    if (Result.isFailure(applied)) throw new Error(`scale fixture: ${signal._tag} refused: ${applied.failure._tag}`)
    world = applied.success.world
    changes.push(...applied.success.changes)
  }
  return { livestreamId, changes }
}

/** Appends livestreams `from` to `to` (exclusive) in batches; the ids made. */
const grow = (runtime: ManagedRuntime.ManagedRuntime<EventStore, unknown>, from: number, to: number) =>
  runtime.runPromise(Effect.gen(function*() {
    const store = yield* EventStore
    const ids: Array<string> = []
    let events = 0
    for (let start = from; start < to; start += BATCH) {
      const streams = new Map<string, Array<ReturnType<typeof DomainEvents.toNewEvent>>>()
      for (let i = start; i < Math.min(to, start + BATCH); i++) {
        const { livestreamId, changes } = livestreamUnits(i)
        ids.push(livestreamId)
        for (const change of changes) {
          const name = DomainEvents.streamName(change.kind, change.id)
          streams.set(name, [...(streams.get(name) ?? []), DomainEvents.toNewEvent(change)])
          events++
        }
      }
      const appends: Array<StreamAppend> = [...streams].map(([stream, list]) => ({ stream, expectedVersion: 0, events: list }))
      yield* store.appendMany(appends, originMetadata(`scale:${start}`, "bench", Timestamp.make(T0)))
    }
    return { ids, events }
  }))

const rssMb = (pid: number) => {
  const status = Fs.readFileSync(`/proc/${pid}/status`, "utf8")
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
}

const sample = async (job: MainJob, path: string) => {
  const latencies: Array<number> = []
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now()
    const answer = await fetch(`${job.url}/accounts/${job.account}/realtime/kit/${job.app}${path}`, { headers: { authorization: `Bearer ${job.token}` } })
    await answer.arrayBuffer()
    if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}`)
    latencies.push(performance.now() - started)
  }
  latencies.sort((a, b) => a - b)
  return { p50: latencies[Math.floor(SAMPLES * 0.5)]!, p99: latencies[Math.floor(SAMPLES * 0.99)]! }
}

interface Figures {
  readonly livestreams: number
  readonly events: number
  readonly startupMs: number
  /** From listening to the catalog's tables holding every livestream (its projection caught up). */
  readonly tableMs: number
  readonly rssMb: number
  /** A second start on the caught-up catalog: what a replica starting now costs. */
  readonly restartMs: number
  readonly restartRssMb: number
  readonly workers: { readonly catchUpMs: number; readonly restartMs: number; readonly takeoverMs: number }
  readonly endpoints: ReadonlyArray<{ readonly name: string; readonly p50: number; readonly p99: number }>
}

// An API replica as a PostgreSQL deployment runs it: webhooks are left to `apps/worker` processes.
const SECRET_KEY = Buffer.alloc(32, 5).toString("base64")
const startApi = (url: string) =>
  startMainJob({
    DATABASE_URL: url,
    ONAIR_MEDIA: "off",
    ONAIR_WEBHOOK_WORKER: "false",
    ONAIR_OUTBOUND_ALLOWLIST: "127.0.0.1/32",
    ONAIR_SECRET_KEY: SECRET_KEY
  })

const startWorker = (url: string): ChildProcess =>
  spawn(process.execPath, [WORKER], {
    env: { ...process.env, DATABASE_URL: url, ONAIR_OUTBOUND_ALLOWLIST: "127.0.0.1/32", ONAIR_SECRET_KEY: SECRET_KEY },
    stdio: "ignore"
  })

const stopWorker = async (worker: ChildProcess) => {
  if (worker.exitCode !== null) return
  const exited = new Promise((resolve) => worker.once("exit", resolve))
  worker.kill("SIGTERM")
  await exited
}

/** Creates a livestream and answers the milliseconds until the receiver has its first webhook. */
const nextWebhook = async (job: MainJob, receiver: Receiver, started = performance.now()) => {
  const id = (await job.api("POST", "/livestreams", { name: "hooked" })).body.data.id as string
  while (!receiver.received.some((request) => request.body.includes(id))) await new Promise((resolve) => setTimeout(resolve, 5))
  return performance.now() - started
}

/**
 * The webhook workers (`apps/worker`) on the grown log: the outbox catching up with what was grown while no
 * worker ran (to its first webhook), a restarted worker's first webhook, and a standby taking the outbox
 * over when the worker running it stops.
 */
const measureWorkers = async (url: string, job: MainJob) => {
  const receiver = await startReceiver()
  const made = await job.api("POST", "/webhooks", { url: receiver.url, events: ["livestream.*"] })
  if (made.status !== 201) throw new Error(`webhook endpoint: ${made.status}`)
  const first = startWorker(url)
  const catchUpMs = await nextWebhook(job, receiver)
  await stopWorker(first)
  const restarted = performance.now()
  const second = startWorker(url)
  const restartMs = await nextWebhook(job, receiver, restarted)
  const standby = startWorker(url)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const stopped = performance.now()
  await stopWorker(second)
  const takeoverMs = await nextWebhook(job, receiver, stopped)
  await stopWorker(standby)
  // The next size's figures must not wait behind deliveries to a receiver that is gone.
  await job.api("DELETE", `/webhooks/${made.body.data.id}`)
  await receiver.close()
  return { catchUpMs, restartMs, takeoverMs }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 3000))

const measure = async (url: string, livestreams: number, events: number, someId: string): Promise<Figures> => {
  const started = performance.now()
  const job = await startApi(url)
  const startupMs = performance.now() - started
  try {
    // Measure a settled job: the catalog's projection has caught up with what the log holds (after a
    // restart it goes on from its checkpoint, so only the newly grown part is applied).
    const rows = () => Number(execFileSync("psql", [url, "-qAtc", "SELECT count(*) FROM onair_livestreams"], { encoding: "utf8" }).trim() || 0)
    while (rows() < livestreams) await new Promise((resolve) => setTimeout(resolve, 250))
    const tableMs = performance.now() - started - startupMs
    await settle()
    const rss = rssMb(job.pid)
    const endpoints = []
    for (const [name, path] of [
      ["GET one livestream", `/livestreams/${someId}`],
      ["list 50", "/livestreams?per_page=50"],
      ["analytics overall", "/analytics/livestreams/overall"],
      ["day-wise analytics", "/analytics/daywise"]
    ] as const) {
      endpoints.push({ name, ...(await sample(job, path)) })
    }
    const workers = await measureWorkers(url, job)
    await job.stop()
    const restarted = performance.now()
    const again = await startApi(url)
    const restartMs = performance.now() - restarted
    await settle()
    const restartRssMb = rssMb(again.pid)
    await again.stop()
    return { livestreams, events, startupMs, tableMs, rssMb: rss, restartMs, restartRssMb, workers, endpoints }
  } finally {
    await job.stop()
  }
}

const main = async () => {
  const admin = serverUrl()
  const name = `onair_scale_${process.pid}`
  execFileSync("psql", [admin, "-qc", `CREATE DATABASE ${name}`])
  const parsed = new URL(admin)
  parsed.pathname = `/${name}`
  const url = parsed.toString()
  process.env["ONAIR_SECRET_KEY"] = Buffer.alloc(32, 5).toString("base64")
  const runtime = ManagedRuntime.make(Layer.fresh(Database.layer({ _tag: "Postgres", url: Redacted.make(url) }, { maxConnections: 4 })))
  try {
    console.log(`# Scale benchmark: ${BASELINE.toLocaleString("en")} then ${TARGET.toLocaleString("en")} livestreams on PostgreSQL (2 cores)`)
    const grownAt = performance.now()
    const first = await grow(runtime, 0, BASELINE)
    console.log(`grew the log to ${BASELINE} livestreams (${first.events} events) in ${((performance.now() - grownAt) / 1000).toFixed(1)} s`)
    const baseline = await measure(url, BASELINE, first.events, first.ids[0]!)
    let target = baseline
    if (TARGET > BASELINE) {
      const again = performance.now()
      const rest = await grow(runtime, BASELINE, TARGET)
      console.log(`grew it to ${TARGET} livestreams (${first.events + rest.events} events) in ${((performance.now() - again) / 1000).toFixed(1)} s`)
      target = await measure(url, TARGET, first.events + rest.events, rest.ids.at(-1)!)
    }
    const ratio = (a: number, b: number) => (b === 0 ? "-" : (a / b).toFixed(2))
    console.log("")
    console.log(`| measure | ${BASELINE.toLocaleString("en")} livestreams | ${TARGET.toLocaleString("en")} livestreams | ratio |`)
    console.log("| --- | --- | --- | --- |")
    console.log(`| start-up (spawn to listening) | ${baseline.startupMs.toFixed(0)} ms | ${target.startupMs.toFixed(0)} ms | ${ratio(target.startupMs, baseline.startupMs)} |`)
    console.log(`| catalog caught up with the grown log after start-up | ${baseline.tableMs.toFixed(0)} ms | ${target.tableMs.toFixed(0)} ms | ${ratio(target.tableMs, baseline.tableMs)} |`)
    console.log(`| API RSS settled (after the catch-up) | ${baseline.rssMb.toFixed(0)} MB | ${target.rssMb.toFixed(0)} MB | ${ratio(target.rssMb, baseline.rssMb)} |`)
    console.log(`| restart on the caught-up catalog: spawn to listening | ${baseline.restartMs.toFixed(0)} ms | ${target.restartMs.toFixed(0)} ms | ${ratio(target.restartMs, baseline.restartMs)} |`)
    console.log(`| restart: API RSS settled | ${baseline.restartRssMb.toFixed(0)} MB | ${target.restartRssMb.toFixed(0)} MB | ${ratio(target.restartRssMb, baseline.restartRssMb)} |`)
    const row = (name: string, pick: (figures: Figures) => number) =>
      console.log(`| ${name} | ${pick(baseline).toFixed(0)} ms | ${pick(target).toFixed(0)} ms | ${ratio(pick(target), pick(baseline))} |`)
    row("webhook outbox caught up with the grown log (worker spawn to first webhook)", (f) => f.workers.catchUpMs)
    row("worker restart: spawn to next webhook", (f) => f.workers.restartMs)
    row("outbox takeover by a standby: stop to next webhook", (f) => f.workers.takeoverMs)
    baseline.endpoints.forEach((b, index) => {
      const t = target.endpoints[index]!
      console.log(`| ${b.name} p50 / p99 | ${b.p50.toFixed(1)} / ${b.p99.toFixed(1)} ms | ${t.p50.toFixed(1)} / ${t.p99.toFixed(1)} ms | ${ratio(t.p99, b.p99)} (p99) |`)
    })
  } finally {
    await runtime.dispose()
    execFileSync("psql", [admin, "-qc", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`])
  }
}

await main()
