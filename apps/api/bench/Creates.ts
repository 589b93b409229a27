/**
 * `pnpm bench:creates` (`./onair bench creates`): the write path's figures against issue 30's goals, on the
 * embedded store and on PostgreSQL, untraced. For each store, in the same run:
 * - the store's raw append rate: one event of a create's size to a new stream, through `EventStore.append`
 *   in this process, at 1 and 32 in flight (what a create could reach if it cost nothing but its append);
 * - livestream creates through HTTP on the main job as the README runs it (media off): sequential p50/p99
 *   (each answered once the read models have it), and creates per second at 1, 8 and 32 in flight;
 * - creates at 32 in flight as a ratio of the raw append rate at 32.
 * `ONAIR_BENCH_STORES` picks the stores (`embedded,postgres`), `ONAIR_BENCH_SECONDS` each rate's length (4).
 */
import { EventStore, originMetadata, Timestamp } from "@onair/core"
import { type MainJob, recordFigure, startMainJob } from "@onair/test-support"
import { Database } from "@onair/event-store"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { freshBenchDatabase, freshEmbeddedDatabase, percentile, SECRET_KEY } from "./ScaleFixture.ts"

const SECONDS = Number(process.env["ONAIR_BENCH_SECONDS"] ?? 4)
const SEQUENTIAL = 300
const GOALS = {
  embedded: { perSecond: 1_500, label: "the embedded store" },
  postgres: { perSecond: 2_500, label: "PostgreSQL" }
} as const
const SEQUENTIAL_P99_GOAL_MS = 10
const RAW_RATIO_GOAL = 0.5

/** Runs `one` with `inFlight` at a time for `seconds`; how many per second, and each one's milliseconds. */
const rate = async (inFlight: number, seconds: number, one: (i: number) => Promise<unknown>) => {
  const took: Array<number> = []
  let next = 0
  const started = performance.now()
  const until = started + seconds * 1000
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        const i = next++
        const begun = performance.now()
        await one(i)
        took.push(performance.now() - begun)
      }
    })
  )
  return { perSecond: (took.length * 1000) / (performance.now() - started), took: took.sort((a, b) => a - b) }
}

/** A create's event, about the size of `LivestreamCreated` with its key sealed. */
const createLike = (i: number) => ({
  type: "LivestreamCreated",
  data: {
    livestreamId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    name: `bench ${i}`,
    streamKey: "x".repeat(120),
    accountId: "acct_bench",
    appId: "app_bench",
    limits: { startTimeoutSeconds: 3600, maxDurationSeconds: 43_200 },
    reconnectWindowSeconds: 60
  }
})

const rawAppends = async (runtime: ManagedRuntime.ManagedRuntime<EventStore, unknown>, inFlight: number) => {
  const run = `${process.pid}-${inFlight}-${Date.now()}`
  return rate(inFlight, SECONDS, (i) =>
    runtime.runPromise(
      Effect.flatMap(Effect.service(EventStore), (store) =>
        store.append(
          `bench-${run}-${i}`,
          0,
          [createLike(i)],
          originMetadata(`bench-${run}-${i}`, "bench", Timestamp.make(Date.UTC(2026, 0, 1)))
        )
      )
    )
  )
}

const create = (job: MainJob) => async (i: number) => {
  const answer = await fetch(`${job.url}/accounts/${job.account}/realtime/kit/${job.app}/livestreams`, {
    method: "POST",
    headers: { authorization: `Bearer ${job.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: `bench ${i}` })
  })
  await answer.arrayBuffer()
  if (answer.status !== 201) throw new Error(`a create answered ${answer.status}`)
}

const fixed = (value: number) => value.toFixed(2)

const measure = async (kind: keyof typeof GOALS) => {
  const goal = GOALS[kind]
  const database = kind === "embedded" ? freshEmbeddedDatabase() : freshBenchDatabase(`onair_creates_${process.pid}`)
  try {
    // On PostgreSQL the store gets the main job's pool (16 connections); the embedded one has its one.
    const runtime: ManagedRuntime.ManagedRuntime<EventStore, unknown> =
      "url" in database
        ? ManagedRuntime.make(
            Layer.fresh(Database.layer({ _tag: "Postgres", url: Redacted.make(String(database.url)) }))
          )
        : (database.runtime as ManagedRuntime.ManagedRuntime<EventStore, unknown>)
    const raw1 = await rawAppends(runtime, 1)
    const raw32 = await rawAppends(runtime, 32)
    if ("url" in database) await runtime.dispose()
    // One process at a time on an embedded data directory: the main job's turn.
    await database.release()
    const job = await startMainJob({
      ...database.env,
      ONAIR_MEDIA: "off",
      ONAIR_SECRET_KEY: SECRET_KEY,
      ONAIR_OUTBOUND_ALLOWLIST: "127.0.0.1/32"
    })
    try {
      const one = create(job)
      for (let i = 0; i < 50; i++) await one(-i - 1)
      const sequential: Array<number> = []
      for (let i = 0; i < SEQUENTIAL; i++) {
        const begun = performance.now()
        await one(i)
        sequential.push(performance.now() - begun)
      }
      sequential.sort((a, b) => a - b)
      const rates = new Map<number, number>()
      for (const inFlight of [1, 8, 32]) rates.set(inFlight, (await rate(inFlight, SECONDS, one)).perSecond)
      const p50 = percentile(sequential, 0.5)
      const p99 = percentile(sequential, 0.99)
      const at32 = rates.get(32)!
      const ratio = at32 / raw32.perSecond
      console.log(`\n${goal.label}`)
      console.log(
        `  raw appends (EventStore.append, one event to a new stream): ${raw1.perSecond.toFixed(0)}/s at 1 in flight ` +
          `(p50 ${fixed(percentile(raw1.took, 0.5))} ms), ${raw32.perSecond.toFixed(0)}/s at 32`
      )
      console.log(
        `  sequential creates: p50 ${fixed(p50)} ms, p99 ${fixed(p99)} ms (goal p99 <= ${SEQUENTIAL_P99_GOAL_MS} ms)`
      )
      console.log(
        `  creates per second: ${[...rates].map(([n, perSecond]) => `${perSecond.toFixed(0)}/s at ${n} in flight`).join(", ")} ` +
          `(goal >= ${goal.perSecond}/s at 32)`
      )
      console.log(`  creates at 32 against raw appends at 32: ${fixed(ratio)} (goal >= ${RAW_RATIO_GOAL})`)
      recordFigure({
        bench: "creates",
        measure: `${goal.label}: creates/s at 32 in flight`,
        value: `${at32.toFixed(0)}/s`,
        target: `>= ${goal.perSecond}/s`,
        met: at32 >= goal.perSecond
      })
      recordFigure({
        bench: "creates",
        measure: `${goal.label}: creates at 32 against raw appends at 32`,
        value: `${fixed(ratio)} (${at32.toFixed(0)} vs ${raw32.perSecond.toFixed(0)}/s)`,
        target: `>= ${RAW_RATIO_GOAL}`,
        met: ratio >= RAW_RATIO_GOAL
      })
      recordFigure({
        bench: "creates",
        measure: `${goal.label}: sequential create p99`,
        value: `${fixed(p99)} ms (p50 ${fixed(p50)} ms)`,
        target: `<= ${SEQUENTIAL_P99_GOAL_MS} ms`,
        met: p99 <= SEQUENTIAL_P99_GOAL_MS
      })
    } finally {
      await job.stop()
    }
  } finally {
    await database.drop()
  }
}

const stores = (process.env["ONAIR_BENCH_STORES"] ?? "embedded,postgres").split(",") as Array<keyof typeof GOALS>
console.log(`# Creates benchmark: ${SECONDS} s per rate, ${SEQUENTIAL} sequential creates, on ${stores.join(" and ")}`)
for (const kind of stores) await measure(kind)
process.exit(0)
