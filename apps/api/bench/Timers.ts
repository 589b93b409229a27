/**
 * `pnpm bench:timers`: `ONAIR_BENCH_TIMERS` broadcasts (default 100,000) whose start timeout falls due in
 * the same second, on a fresh PostgreSQL database, with an API replica whose timer worker fires them (and a
 * second replica with timers off, which is probed, unless ONAIR_BENCH_TIMERS_PROBE=same). The
 * log is grown through the store's own append before the second comes, and the catalog has caught up
 * with it by then. Prints how fast the due timers drain (timers per second, next to the goal of 1,000/s)
 * and GET one livestream's p50/p99 while they drain (probed at a steady pace), next to the same before, as
 * a ratio.
 */
import { AccountId, AppId, LivestreamId, SessionId, StreamKey, Timestamp } from "@onair/core"
import { apply, empty } from "@onair/simulation"
import { ACCOUNT, APP, recordFigure } from "@onair/test-support"
import { Effect, Result } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { execFileSync } from "node:child_process"
import type { MainJob } from "@onair/test-support"
import { freshBenchDatabase, grow, percentile, startApi } from "./ScaleFixture.ts"

const COUNT = Number(process.env["ONAIR_BENCH_TIMERS"] ?? 100_000)
const GOAL_PER_SECOND = 1_000
/** How long before the timers fall due the log is grown and the API started. */
const LEAD_MILLIS = Number(process.env["ONAIR_BENCH_TIMERS_LEAD_SECONDS"] ?? 60) * 1000

/** A livestream created one second before `dueAt` with a start timeout of one second. */
const waitingBroadcast = (dueAt: number) => (i: number) => {
  const livestreamId = LivestreamId.make(crypto.randomUUID())
  const applied = apply(empty(Timestamp.make(dueAt - 1000)), {
    _tag: "CreateLivestream",
    livestreamId,
    at: Timestamp.make(dueAt - 1000),
    accountId: AccountId.make(ACCOUNT),
    appId: AppId.make(APP),
    name: `timer ${i}`,
    meetingId: null,
    videoConfig: null,
    streamKey: StreamKey.make(`${crypto.randomUUID().replaceAll("-", "")}timer`),
    reconnectWindowSeconds: 0,
    limits: { startTimeoutSeconds: 1, maxDurationSeconds: 43_200 },
    sessionId: SessionId.make(crypto.randomUUID())
  })
  if (Result.isFailure(applied)) throw new Error(`timer fixture refused: ${applied.failure._tag}`)
  return { livestreamId, changes: applied.success.changes }
}

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/**
 * GET one livestream every `PROBE_INTERVAL_MILLIS` (an open loop: the probe measures the API, it does not
 * load it, so its figures before, during and after the drain compare) for `millis`, or until `until()`.
 */
const PROBE_INTERVAL_MILLIS = 10
const probe = async (
  job: MainJob,
  livestreamId: string,
  stop: { readonly millis?: number; readonly until?: () => boolean }
) => {
  const latencies: Array<number> = []
  const ends = performance.now() + (stop.millis ?? Number.POSITIVE_INFINITY)
  while (performance.now() < ends && stop.until?.() !== true) {
    const begun = performance.now()
    const answer = await fetch(
      `${job.url}/accounts/${job.account}/realtime/kit/${job.app}/livestreams/${livestreamId}`,
      { headers: { authorization: `Bearer ${job.token}` } }
    )
    await answer.arrayBuffer()
    if (answer.status !== 200) throw new Error(`GET one livestream answered ${answer.status}`)
    const took = performance.now() - begun
    latencies.push(took)
    await sleep(Math.max(0, PROBE_INTERVAL_MILLIS - took))
  }
  latencies.sort((a, b) => a - b)
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), count: latencies.length }
}

const main = async () => {
  const { url, runtime, env, drop } = freshBenchDatabase(`onair_timers_${process.pid}`)
  // Counted on the benchmark's own connection: no process spawned while the timers drain.
  const countAsync = (where: string) =>
    runtime.runPromise(
      Effect.map(
        Effect.flatMap(Effect.service(SqlClient), (sql) =>
          sql.unsafe<{ readonly due: unknown }>(`SELECT count(*) AS due FROM onair_livestreams WHERE ${where}`)
        ),
        (rows) => Number(rows[0]?.due ?? 0)
      )
    )
  const count = (where: string) =>
    Number(
      execFileSync("psql", [url, "-qAtc", `SELECT count(*) FROM onair_livestreams WHERE ${where}`], {
        encoding: "utf8"
      }).trim() || 0
    )
  try {
    console.log(
      `# Timer benchmark: ${COUNT.toLocaleString("en")} start timeouts due in the same second, PostgreSQL (2 cores)`
    )
    const dueAt = Date.now() + LEAD_MILLIS
    const grownAt = performance.now()
    await grow(runtime, 0, COUNT, waitingBroadcast(dueAt))
    console.log(
      `grew the log with ${COUNT} waiting broadcasts in ${((performance.now() - grownAt) / 1000).toFixed(1)} s`
    )
    const job = await startApi(env)
    // The probed replica: an API replica with its timers off, as deployments keep them (the default), or
    // the replica firing them (ONAIR_BENCH_TIMERS_PROBE=same).
    const apart = process.env["ONAIR_BENCH_TIMERS_PROBE"] !== "same"
    const probed = apart ? await startApi(env, { ONAIR_TIMER_WORKER: "off" }) : job
    try {
      const reader = (await job.api("POST", "/livestreams", { name: "read while timers drain" })).body.data.id as string
      // Every broadcast in the catalog (and the reader's livestream).
      while (count("true") < COUNT + 1) await sleep(250)
      const early = Date.now() > dueAt
      if (early)
        console.log("warning: the catalog caught up after the timers fell due; raise ONAIR_BENCH_TIMERS_LEAD_SECONDS")
      await sleep(Math.max(0, dueAt - Date.now() - 5000))
      const idleBefore = await probe(probed, reader, { millis: 3000 })
      await sleep(Math.max(0, dueAt - Date.now()))
      // While due timers remain, read; the drain is over when the catalog shows none left.
      const started = performance.now()
      let remaining = COUNT
      const watching = (async () => {
        while (remaining > 0) {
          await sleep(500)
          remaining = await countAsync("next_timer_at <= now()")
        }
      })()
      const during = await probe(probed, reader, { until: () => remaining === 0 })
      await watching
      const drainSeconds = (performance.now() - started) / 1000
      const idleAfter = await probe(probed, reader, { millis: 3000 })
      const ended = count("state->'lastBroadcast'->>'reason' = 'start timeout'")
      const rate = COUNT / drainSeconds
      console.log("")
      console.log("| measure | figure | against | ratio |")
      console.log("| --- | --- | --- | --- |")
      console.log(
        `| due timers drained | ${COUNT} in ${drainSeconds.toFixed(1)} s (${ended} broadcasts ended by their start timeout) | | |`
      )
      console.log(
        `| drain rate | ${rate.toFixed(0)} timers/s | goal ${GOAL_PER_SECOND}/s | ${(rate / GOAL_PER_SECOND).toFixed(2)} |`
      )
      recordFigure({
        bench: "timers",
        measure: `due timers drained (${COUNT})`,
        value: `${rate.toFixed(0)} timers/s`,
        target: `>= ${GOAL_PER_SECOND}/s`,
        met: rate >= GOAL_PER_SECOND
      })
      console.log(
        `| GET one livestream p50 / p99 while draining | ${during.p50.toFixed(1)} / ${during.p99.toFixed(1)} ms (${during.count} requests) | idle before: ${idleBefore.p50.toFixed(1)} / ${idleBefore.p99.toFixed(1)} ms | ${(during.p99 / idleBefore.p99).toFixed(2)} (p99) |`
      )
      console.log(
        `| GET one livestream p50 / p99 after | ${idleAfter.p50.toFixed(1)} / ${idleAfter.p99.toFixed(1)} ms | idle before | ${(idleAfter.p99 / idleBefore.p99).toFixed(2)} (p99) |`
      )
    } finally {
      if (apart) await probed.stop()
      await job.stop()
    }
  } finally {
    await drop()
  }
}

await main()
