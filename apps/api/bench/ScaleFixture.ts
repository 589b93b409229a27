/**
 * What the scale benchmarks share: a fresh PostgreSQL database, the log grown through the store's own
 * append (units of work made by the core's workflow on a tiny in-memory world, appended in large batches),
 * an API replica and webhook workers as child processes, and sequential latency samples through HTTP.
 */
import { type Change, EventStore, originMetadata, type StreamAppend, Timestamp } from "@onair/core"
import { Database, DomainEvents } from "@onair/event-store"
import {
  type MainJob,
  type Receiver,
  startMainJob,
  startReceiver,
  startWorker as startWebhookWorker
} from "@onair/test-support"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import { type ChildProcess, execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const BATCH = 500
const SAMPLES = 300
export const T0 = Date.UTC(2026, 0, 1)
export const SECRET_KEY = Buffer.alloc(32, 5).toString("base64")

const serverUrl = () =>
  process.env["ONAIR_BENCH_DATABASE_URL"] ??
  execFileSync("bash", [Path.resolve(import.meta.dirname, "../../../scripts/postgres.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  }).trim()

/** Where a benchmark's log lives: a store to grow it with, the main job's settings for it, and its drop. */
export interface BenchDatabase {
  readonly label: string
  readonly runtime: ManagedRuntime.ManagedRuntime<EventStore | SqlClient, unknown>
  /** The main job's environment for this database. */
  readonly env: Record<string, string>
  /** Called before the main job opens the database (the embedded one takes one process at a time). */
  readonly release: () => Promise<void>
  readonly drop: () => Promise<void>
  /** PostgreSQL only: its URL, for workers and psql. */
  readonly url?: string
}

/** A fresh database on the server, its URL, a store on it, and how to drop it all. */
export const freshBenchDatabase = (name: string): BenchDatabase & { readonly url: string } => {
  const admin = serverUrl()
  execFileSync("psql", [admin, "-qc", `CREATE DATABASE ${name}`])
  const parsed = new URL(admin)
  parsed.pathname = `/${name}`
  const url = parsed.toString()
  process.env["ONAIR_SECRET_KEY"] = SECRET_KEY
  const runtime = ManagedRuntime.make(
    Layer.fresh(Database.layer({ _tag: "Postgres", url: Redacted.make(url) }, { maxConnections: 4 }))
  )
  return {
    label: "PostgreSQL",
    url,
    runtime,
    env: { DATABASE_URL: url },
    release: () => Promise.resolve(),
    drop: async () => {
      await runtime.dispose()
      execFileSync("psql", [admin, "-qc", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`])
    }
  }
}

/**
 * A fresh embedded database (PGlite) in a temporary data directory: the benchmark grows it, then lets go
 * of it for the main job (one process at a time), and takes it again to grow more.
 */
export const freshEmbeddedDatabase = (): BenchDatabase => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-scale-"))
  process.env["ONAIR_SECRET_KEY"] = SECRET_KEY
  const layer = Database.layer({ _tag: "Embedded", dataDir })
  let runtime = ManagedRuntime.make(Layer.fresh(layer))
  return {
    label: "the embedded database",
    get runtime() {
      return runtime
    },
    env: { ONAIR_DATA_DIR: dataDir },
    release: async () => {
      await runtime.dispose()
      runtime = ManagedRuntime.make(Layer.fresh(layer))
    },
    drop: async () => {
      await runtime.dispose()
      Fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

/** Appends the units of `from` to `to` (exclusive) in batches; the livestream ids made and the events. */
export const grow = (
  runtime: ManagedRuntime.ManagedRuntime<EventStore, unknown>,
  from: number,
  to: number,
  unitsOf: (i: number) => { readonly livestreamId: string; readonly changes: ReadonlyArray<Change> }
) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const store = yield* EventStore
      const ids: Array<string> = []
      let events = 0
      for (let start = from; start < to; start += BATCH) {
        const streams = new Map<string, Array<ReturnType<typeof DomainEvents.toNewEvent>>>()
        for (let i = start; i < Math.min(to, start + BATCH); i++) {
          const { livestreamId, changes } = unitsOf(i)
          ids.push(livestreamId)
          for (const change of changes) {
            const name = DomainEvents.streamName(change.kind, change.id)
            streams.set(name, [...(streams.get(name) ?? []), DomainEvents.toNewEvent(change)])
            events++
          }
        }
        const appends: Array<StreamAppend> = [...streams].map(([stream, list]) => ({
          stream,
          expectedVersion: 0,
          events: list
        }))
        yield* store.appendMany(
          appends,
          originMetadata(`scale:${start}:${crypto.randomUUID()}`, "bench", Timestamp.make(T0))
        )
      }
      return { ids, events }
    })
  )

export const rssMb = (pid: number) => {
  const status = Fs.readFileSync(`/proc/${pid}/status`, "utf8")
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
}

/** The value at fraction `p` (0.5, 0.99) of ascending `sorted`. */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

/**
 * p50 and p99 of sequential GETs (under the job's app), `samples` of them: of one path, or of the `i`th
 * path of a function (a different one each time, which no cache holds).
 */
export const sample = async (job: MainJob, path: string | ((i: number) => string), samples = SAMPLES) => {
  const latencies: Array<number> = []
  for (let i = 0; i < samples; i++) {
    const asked = typeof path === "string" ? path : path(i)
    const started = performance.now()
    const answer = await fetch(`${job.url}/accounts/${job.account}/realtime/kit/${job.app}${asked}`, {
      headers: { authorization: `Bearer ${job.token}` }
    })
    await answer.arrayBuffer()
    if (answer.status !== 200) throw new Error(`${asked} answered ${answer.status}`)
    latencies.push(performance.now() - started)
  }
  latencies.sort((a, b) => a - b)
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) }
}

// An API replica as a PostgreSQL deployment runs it: webhooks are left to `apps/worker` processes.
export const startApi = (database: Record<string, string>, env: Record<string, string> = {}) =>
  startMainJob({
    ...database,
    ONAIR_MEDIA: "off",
    ONAIR_WEBHOOK_WORKER: "false",
    ONAIR_OUTBOUND_ALLOWLIST: "127.0.0.1/32",
    ONAIR_SECRET_KEY: SECRET_KEY,
    ...env
  })

export const startWorker = (url: string): ChildProcess => startWebhookWorker(url, SECRET_KEY)

export const stopWorker = async (worker: ChildProcess) => {
  if (worker.exitCode !== null) return
  const exited = new Promise((resolve) => worker.once("exit", resolve))
  worker.kill("SIGTERM")
  await exited
}

/** Creates a livestream and answers the milliseconds until the receiver has its first webhook. */
const nextWebhook = async (job: MainJob, receiver: Receiver, started = performance.now()) => {
  const id = (await job.api("POST", "/livestreams", { name: "hooked" })).body.data.id as string
  while (!receiver.received.some((request) => request.body.includes(id)))
    await new Promise((resolve) => setTimeout(resolve, 5))
  return performance.now() - started
}

/**
 * The webhook workers (`apps/worker`) on the grown log: the outbox catching up with what was grown while no
 * worker ran (to its first webhook), a restarted worker's first webhook, and a standby taking the outbox
 * over when the worker running it stops.
 */
export const measureWorkers = async (url: string, job: MainJob) => {
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
