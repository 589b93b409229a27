/**
 * `pnpm bench:replicas`: read-your-writes across API replicas, on a fresh PostgreSQL database with two API
 * replicas and an `apps/worker` process (webhooks: an endpoint receives every event), as a PostgreSQL
 * deployment runs them. Prints, each next to the issue's goal as a ratio:
 * - sequential creates on replica 1 (each answered once the read models have it): p50 / p90 / p99;
 * - a livestream created on replica 1, read on replica 2 without the position header: from the create's
 *   answer to replica 2's first 200, p50 / p99;
 * - the same read carrying `onair-log-position`: how many answer 200 at the first request.
 */
import { type MainJob, recordFigure, startReceiver } from "@onair/test-support"
import { freshBenchDatabase, percentile, startApi, startWorker, stopWorker } from "./ScaleFixture.ts"

const CREATES = Number(process.env["ONAIR_BENCH_REPLICA_CREATES"] ?? 300)
const CREATE_P99_GOAL_MS = 15
const VISIBLE_P99_GOAL_MS = 50
const POSITION_HEADER = "onair-log-position"

const create = async (job: MainJob, i: number) => {
  const started = performance.now()
  const answer = await fetch(`${job.url}/accounts/${job.account}/realtime/kit/${job.app}/livestreams`, {
    method: "POST",
    headers: { authorization: `Bearer ${job.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: `replica ${i}` })
  })
  const body = (await answer.json()) as { data: { id: string } }
  if (answer.status !== 201 && answer.status !== 200) throw new Error(`create answered ${answer.status}`)
  return {
    id: body.data.id,
    position: answer.headers.get(POSITION_HEADER),
    millis: performance.now() - started,
    answeredAt: performance.now()
  }
}

const read = (job: MainJob, id: string, position?: string | null) =>
  fetch(`${job.url}/accounts/${job.account}/realtime/kit/${job.app}/livestreams/${id}`, {
    headers: { authorization: `Bearer ${job.token}`, ...(position ? { [POSITION_HEADER]: position } : {}) }
  }).then(async (answer) => {
    await answer.arrayBuffer()
    return answer.status
  })

const main = async () => {
  const { url, env, drop } = freshBenchDatabase(`onair_replicas_${process.pid}`)
  const receiver = await startReceiver()
  try {
    console.log(
      `# Replicas benchmark: 2 API replicas and 1 webhook worker on PostgreSQL (2 cores), ${CREATES} creates per figure`
    )
    const one = await startApi(env)
    const two = await startApi(env)
    // ONAIR_BENCH_REPLICA_WORKER=off: no webhook worker, to see what it costs the figures.
    const worker = process.env["ONAIR_BENCH_REPLICA_WORKER"] === "off" ? undefined : startWorker(url)
    try {
      // Every event goes out as a webhook, so the worker's transactions run beside the creates.
      const endpoint = await one.api("POST", "/webhooks", { url: receiver.url, events: ["livestream.*"] })
      if (endpoint.status >= 300)
        throw new Error(`webhook endpoint: ${endpoint.status} ${JSON.stringify(endpoint.body)}`)
      for (let i = 0; i < 20; i++) await create(one, -i)

      const creates: Array<number> = []
      for (let i = 0; i < CREATES; i++) creates.push((await create(one, i)).millis)
      creates.sort((a, b) => a - b)

      const visible: Array<number> = []
      for (let i = 0; i < CREATES; i++) {
        const made = await create(one, i)
        while ((await read(two, made.id)) !== 200) await new Promise((resolve) => setTimeout(resolve, 1))
        visible.push(performance.now() - made.answeredAt)
      }
      visible.sort((a, b) => a - b)

      let atOnce = 0
      for (let i = 0; i < CREATES; i++) {
        const made = await create(one, i)
        if ((await read(two, made.id, made.position)) === 200) atOnce++
      }

      const createP99 = percentile(creates, 0.99)
      const visibleP99 = percentile(visible, 0.99)
      console.log("")
      console.log("| measure | figure | goal | ratio |")
      console.log("| --- | --- | --- | --- |")
      console.log(
        `| sequential creates p50 / p90 / p99 | ${percentile(creates, 0.5).toFixed(1)} / ${percentile(creates, 0.9).toFixed(1)} / ${createP99.toFixed(1)} ms | p99 ≤ ${CREATE_P99_GOAL_MS} ms | ${(createP99 / CREATE_P99_GOAL_MS).toFixed(2)} |`
      )
      console.log(
        `| created on replica 1, readable on replica 2 (no header) p50 / p99 | ${percentile(visible, 0.5).toFixed(1)} / ${visibleP99.toFixed(1)} ms | p99 ≤ ${VISIBLE_P99_GOAL_MS} ms | ${(visibleP99 / VISIBLE_P99_GOAL_MS).toFixed(2)} |`
      )
      console.log(
        `| with ${POSITION_HEADER}: 200 on the first read | ${atOnce} of ${CREATES} | all | ${(atOnce / CREATES).toFixed(2)} |`
      )
      console.log(`| webhooks received meanwhile | ${receiver.received.length} | | |`)
      recordFigure({
        bench: "replicas",
        measure: "sequential creates p99 (two replicas)",
        value: `${createP99.toFixed(1)} ms`,
        target: `<= ${CREATE_P99_GOAL_MS} ms`,
        met: createP99 <= CREATE_P99_GOAL_MS
      })
      recordFigure({
        bench: "replicas",
        measure: "created on one replica, readable on the other p99",
        value: `${visibleP99.toFixed(1)} ms`,
        target: `<= ${VISIBLE_P99_GOAL_MS} ms`,
        met: visibleP99 <= VISIBLE_P99_GOAL_MS
      })
      recordFigure({
        bench: "replicas",
        measure: `with ${POSITION_HEADER}: 200 on the first read`,
        value: `${atOnce} of ${CREATES}`,
        target: "all",
        met: atOnce === CREATES
      })
    } finally {
      if (worker !== undefined) await stopWorker(worker)
      await two.stop()
      await one.stop()
    }
  } finally {
    await receiver.close()
    await drop()
  }
}

await main()
