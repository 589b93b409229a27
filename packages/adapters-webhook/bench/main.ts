/**
 * The webhook benchmark, against the main job (embedded store, webhook worker in-process, no media) and a
 * local receiver, each figure next to a baseline measured in the same run:
 *
 * 1. the receiver's own capacity: signed-size POSTs from 64 keep-alive connections, no OnAir;
 * 2. deliveries per second: a backlog of messages that failed while the receiver was down, recovered at
 *    once, drained to the receiver (target: at least 1,000 per second);
 * 3. commit-to-delivered p50/p99 at a fixed offered load of 200 events per second (livestreams created
 *    through the API, each one `livestream.status.changed`), from the create's answer to the receiver's
 *    arrival (target: p99 under 200 ms).
 *
 * ONAIR_BENCH_BACKLOG (default 5000) and ONAIR_BENCH_SECONDS (default 10) change the run.
 */
import { recordFigure, sleep, startMainJob, startReceiver, waitFor } from "@onair/test-support"
import * as Os from "node:os"

const BACKLOG = Number(process.env["ONAIR_BENCH_BACKLOG"] ?? 5000)
const SECONDS = Number(process.env["ONAIR_BENCH_SECONDS"] ?? 10)
const RATE = 200

const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

/** Requests per second the receiver answers from 64 keep-alive connections, for `seconds`. */
const receiverCapacity = async (url: string, body: string, seconds: number) => {
  let done = 0
  const until = performance.now() + seconds * 1000
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (performance.now() < until) {
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body })
        await response.arrayBuffer()
        done++
      }
    })
  )
  return done / seconds
}

const main = async () => {
  console.log(`# Webhook benchmark (${Os.cpus().length} cores, ${Os.cpus()[0]?.model ?? "cpu"})`)
  let up = false
  const arrivals = new Map<string, number>()
  const receiver = await startReceiver({
    respond: (_, request) => {
      if (!up) return 503
      const livestreamId = /"livestream_id":"([^"]+)"/.exec(request.body)?.[1]
      if (livestreamId !== undefined && !arrivals.has(livestreamId)) arrivals.set(livestreamId, request.at)
      return 200
    }
  })
  const job = await startMainJob({
    ONAIR_MEDIA: "off",
    ONAIR_WEBHOOK_RETRY_SCHEDULE: "1ms",
    ONAIR_WEBHOOK_CONCURRENCY: "64"
  })
  try {
    const created = (await job.api("POST", "/webhooks", { url: receiver.url, events: ["livestream.status.changed"] }))
      .body.data
    const sampleBody = JSON.stringify({
      version: "2.0",
      id: crypto.randomUUID(),
      type: "livestream.status.changed",
      data: { status: "INVOKED", padding: "x".repeat(300) }
    })

    // 1. The receiver alone (it answers 200 once `up`; its log grows, as it does under OnAir).
    up = true
    const capacity = await receiverCapacity(receiver.url, sampleBody, 3)
    receiver.received.length = 0
    up = false

    // 2. A backlog: every delivery fails (503, one retry 1 ms later), then all are recovered at once.
    const since = new Date(Date.now() - 1000).toISOString()
    for (let i = 0; i < BACKLOG; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, BACKLOG - i) }, () => job.api("POST", "/livestreams", { name: "backlog" }))
      )
    }
    await waitFor(
      "the backlog to fail",
      async () => {
        const attempts = (
          await job.api("GET", `/webhooks/${created.id}/attempts?limit=1000&after=${Math.max(0, 2 * BACKLOG - 1000)}`)
        ).body.data
        return attempts.length > 0 && receiver.received.length >= 2 * BACKLOG ? true : undefined
      },
      300_000
    )
    await sleep(500)
    up = true
    arrivals.clear()
    receiver.received.length = 0
    const started = performance.now()
    const requeued = (await job.api("POST", `/webhooks/${created.id}/recover`, { since })).body.data.requeued
    await waitFor(
      "the backlog delivered",
      async () => (receiver.received.length >= requeued ? true : undefined),
      300_000
    )
    const drainSeconds = (performance.now() - started) / 1000
    const rate = requeued / drainSeconds

    // 3. A steady 200 events per second; latency from each create's answer to its webhook's arrival.
    arrivals.clear()
    const committed = new Map<string, number>()
    const total = RATE * SECONDS
    const begin = performance.now()
    const creates: Array<Promise<void>> = []
    for (let i = 0; i < total; i++) {
      const due = begin + (i * 1000) / RATE
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      creates.push(
        job.api("POST", "/livestreams", { name: "load" }).then((answer) => {
          committed.set(answer.body.data.id, Date.now())
        })
      )
    }
    await Promise.all(creates)
    await waitFor(
      "every event delivered",
      async () => ([...committed.keys()].every((id) => arrivals.has(id)) ? true : undefined),
      120_000
    )
    const latencies = [...committed].map(([id, at]) => Math.max(0, arrivals.get(id)! - at))

    console.log("\n| measure | OnAir | baseline | ratio |")
    console.log("| --- | --- | --- | --- |")
    console.log(
      `| deliveries per second (backlog of ${requeued}) | ${rate.toFixed(0)}/s | receiver alone ${capacity.toFixed(0)} req/s | ${(rate / capacity).toFixed(2)} of the receiver (target 1,000/s: ${(rate / 1000).toFixed(2)}) |`
    )
    console.log(
      `| commit -> delivered at ${RATE} events/s, ${total} events | p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms | | target p99 200 ms: ${(percentile(latencies, 99) / 200).toFixed(2)} of it |`
    )
    recordFigure({
      bench: "webhooks",
      measure: `deliveries per second from a backlog of ${requeued}`,
      value: `${rate.toFixed(0)}/s (receiver alone ${capacity.toFixed(0)} req/s)`,
      target: ">= 1,000/s",
      met: rate >= 1000
    })
    const p99 = percentile(latencies, 99)
    recordFigure({
      bench: "webhooks",
      measure: `commit -> delivered at ${RATE} events/s, p99`,
      value: `${p99.toFixed(0)} ms`,
      target: "< 200 ms",
      met: p99 < 200
    })
  } finally {
    await job.stop()
    await receiver.close()
  }
}

await main()
