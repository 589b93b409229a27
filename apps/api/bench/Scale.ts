/**
 * `pnpm bench:scale`: how OnAir behaves as history grows. The log is grown through the store's own append
 * (fast: units of work made by the core's workflow on a tiny in-memory world, appended in large batches) to
 * 10k livestreams, measured, then grown to `ONAIR_SCALE_LIVESTREAMS` (default 100,000; 1,000,000 for the
 * issue's figure) and measured again, on a fresh PostgreSQL database (the server `scripts/postgres.sh`
 * starts, or `ONAIR_BENCH_DATABASE_URL`), or with `ONAIR_SCALE_STORE=embedded` on a fresh embedded one
 * (the main job as the default deployment runs it, webhooks included; no separate workers). Each
 * livestream is created, published and ended (window 0): 11 events over its livestream, session and ingest
 * streams, as the core writes them.
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
  StreamKey,
  Timestamp,
  LOCAL_MEDIA_NODE
} from "@onair/core"
import { apply, empty, type World } from "@onair/simulation"
import { ACCOUNT, APP, type MainJob, recordFigure } from "@onair/test-support"
import { Result } from "effect"
import {
  type BenchDatabase,
  freshBenchDatabase,
  freshEmbeddedDatabase,
  grow,
  measureWorkers,
  rssMb,
  sample,
  startApi,
  T0
} from "./ScaleFixture.ts"

const TARGET = Number(process.env["ONAIR_SCALE_LIVESTREAMS"] ?? 100_000)
const BASELINE = Math.min(10_000, TARGET)

/** One livestream's units of work: created, published, unpublished (window 0: the session stops). */
const livestreamUnits = (i: number) => {
  let world: World = empty(Timestamp.make(T0 + i * 1000))
  const livestreamId = LivestreamId.make(crypto.randomUUID())
  const streamKey = StreamKey.make(`${crypto.randomUUID().replaceAll("-", "")}scale`)
  const ingestId = IngestId.make(`nginx.scale.${i}`)
  const at = (seconds: number) => Timestamp.make(T0 + i * 1000 + seconds * 1000)
  const signals: ReadonlyArray<Signal> = [
    {
      _tag: "CreateLivestream",
      livestreamId,
      at: at(0),
      accountId: AccountId.make(ACCOUNT),
      appId: AppId.make(APP),
      name: `scale ${i}`,
      meetingId: null,
      videoConfig: null,
      streamKey,
      reconnectWindowSeconds: 0,
      limits: { startTimeoutSeconds: 3600, maxDurationSeconds: 43_200 },
      sessionId: SessionId.make(crypto.randomUUID())
    },
    {
      _tag: "Publish",
      nodeId: LOCAL_MEDIA_NODE,
      nodeRegion: null,
      nodeAccepting: true,
      at: at(1),
      ingestId,
      streamKey,
      publisher: { ip: "203.0.113.9", port: 0 },
      sessionId: SessionId.make(crypto.randomUUID())
    },
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
  /** PostgreSQL only (workers need it). */
  readonly workers: { readonly catchUpMs: number; readonly restartMs: number; readonly takeoverMs: number } | undefined
  readonly endpoints: ReadonlyArray<{ readonly name: string; readonly p50: number; readonly p99: number }>
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 3000))

/** GET one livestream's p50/p99 while `loops` clients ask for the overall analytics without pause. */
const underAnalytics = async (job: MainJob, someId: string, loops = 2) => {
  let running = true
  const hammer = async () => {
    while (running) {
      const answer = await fetch(
        `${job.url}/accounts/${job.account}/realtime/kit/${job.app}/analytics/livestreams/overall`,
        {
          headers: { authorization: `Bearer ${job.token}` }
        }
      )
      await answer.arrayBuffer()
    }
  }
  const hammers = Array.from({ length: loops }, hammer)
  try {
    return await sample(job, `/livestreams/${someId}`)
  } finally {
    running = false
    await Promise.all(hammers)
  }
}

/** How many livestreams the app lists: the catalog's kept count. */
const listed = async (job: MainJob) =>
  Number((await job.api("GET", "/livestreams?per_page=1")).body.data.paging.total_count)

const measure = async (
  database: BenchDatabase,
  livestreams: number,
  events: number,
  ids: ReadonlyArray<string>
): Promise<Figures> => {
  const someId = ids.at(-1)!
  // Spread over the whole log: a different livestream each request.
  const spread = (i: number) => ids[Math.floor((i * 7919) % ids.length)]!
  await database.release()
  const started = performance.now()
  // On the embedded database the main job is the whole deployment: webhooks run in it too.
  const apiEnv = database.url === undefined ? { ONAIR_WEBHOOK_WORKER: "true" } : {}
  const job = await startApi(database.env, apiEnv)
  const startupMs = performance.now() - started
  try {
    // Measure a settled job: the catalog's projection has caught up with what the log holds (after a
    // restart it goes on from its checkpoint, so only the newly grown part is applied).
    while ((await listed(job)) < livestreams) await new Promise((resolve) => setTimeout(resolve, 250))
    const tableMs = performance.now() - started - startupMs
    await settle()
    const rss = rssMb(job.pid)
    const endpoints = []
    for (const [name, path] of [
      ["GET one livestream (the same one: cached)", `/livestreams/${someId}`],
      [
        "GET one livestream (a different one each time: read from the tables)",
        (i: number) => `/livestreams/${spread(i)}`
      ],
      ["list 50 (the same page: cached)", "/livestreams?per_page=50"],
      [
        "list 50 (pages 1 to 300 in turn: read from the tables)",
        (i: number) => `/livestreams?per_page=50&page_no=${i + 1}`
      ],
      [
        "list 50 LIVE, pages 1 to 300 (none live: the status index)",
        (i: number) => `/livestreams?per_page=50&status=LIVE&page_no=${i + 1}`
      ],
      ["analytics overall", "/analytics/livestreams/overall"],
      ["day-wise analytics", "/analytics/daywise"]
    ] as const) {
      endpoints.push({ name, ...(await sample(job, path)) })
    }
    endpoints.push({
      name: "GET one livestream while 2 clients loop the overall analytics",
      ...(await underAnalytics(job, someId))
    })
    const workers = database.url === undefined ? undefined : await measureWorkers(database.url, job)
    await job.stop()
    const restarted = performance.now()
    const again = await startApi(database.env, apiEnv)
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
  const database =
    process.env["ONAIR_SCALE_STORE"] === "embedded"
      ? freshEmbeddedDatabase()
      : freshBenchDatabase(`onair_scale_${process.pid}`)
  try {
    console.log(
      `# Scale benchmark: ${BASELINE.toLocaleString("en")} then ${TARGET.toLocaleString("en")} livestreams on ${database.label} (2 cores)`
    )
    const grownAt = performance.now()
    const first = await grow(database.runtime, 0, BASELINE, livestreamUnits)
    console.log(
      `grew the log to ${BASELINE} livestreams (${first.events} events) in ${((performance.now() - grownAt) / 1000).toFixed(1)} s`
    )
    const baseline = await measure(database, BASELINE, first.events, first.ids)
    let target = baseline
    if (TARGET > BASELINE) {
      const again = performance.now()
      const rest = await grow(database.runtime, BASELINE, TARGET, livestreamUnits)
      console.log(
        `grew it to ${TARGET} livestreams (${first.events + rest.events} events) in ${((performance.now() - again) / 1000).toFixed(1)} s`
      )
      target = await measure(database, TARGET, first.events + rest.events, [...first.ids, ...rest.ids])
    }
    const ratio = (a: number, b: number) => (b === 0 ? "-" : (a / b).toFixed(2))
    console.log("")
    console.log(
      `| measure | ${BASELINE.toLocaleString("en")} livestreams | ${TARGET.toLocaleString("en")} livestreams | ratio |`
    )
    console.log("| --- | --- | --- | --- |")
    console.log(
      `| start-up (spawn to listening) | ${baseline.startupMs.toFixed(0)} ms | ${target.startupMs.toFixed(0)} ms | ${ratio(target.startupMs, baseline.startupMs)} |`
    )
    console.log(
      `| catalog caught up with the grown log after start-up | ${baseline.tableMs.toFixed(0)} ms | ${target.tableMs.toFixed(0)} ms | ${ratio(target.tableMs, baseline.tableMs)} |`
    )
    console.log(
      `| API RSS settled (after the catch-up) | ${baseline.rssMb.toFixed(0)} MB | ${target.rssMb.toFixed(0)} MB | ${ratio(target.rssMb, baseline.rssMb)} |`
    )
    console.log(
      `| restart on the caught-up catalog: spawn to listening | ${baseline.restartMs.toFixed(0)} ms | ${target.restartMs.toFixed(0)} ms | ${ratio(target.restartMs, baseline.restartMs)} |`
    )
    console.log(
      `| restart: API RSS settled | ${baseline.restartRssMb.toFixed(0)} MB | ${target.restartRssMb.toFixed(0)} MB | ${ratio(target.restartRssMb, baseline.restartRssMb)} |`
    )
    // Bounded state: a restart costs the same time and memory whatever the log's length.
    recordFigure({
      bench: "scale",
      measure: `restart at ${TARGET.toLocaleString("en")} livestreams against ${BASELINE.toLocaleString("en")}: spawn to listening`,
      value: `${ratio(target.restartMs, baseline.restartMs)} (${target.restartMs.toFixed(0)} vs ${baseline.restartMs.toFixed(0)} ms)`,
      target: "<= 1.5",
      met: target.restartMs <= 1.5 * baseline.restartMs
    })
    recordFigure({
      bench: "scale",
      measure: `restart at ${TARGET.toLocaleString("en")} livestreams against ${BASELINE.toLocaleString("en")}: API RSS`,
      value: `${ratio(target.restartRssMb, baseline.restartRssMb)} (${target.restartRssMb.toFixed(0)} vs ${baseline.restartRssMb.toFixed(0)} MB)`,
      target: "<= 1.5",
      met: target.restartRssMb <= 1.5 * baseline.restartRssMb
    })
    const row = (name: string, pick: (figures: Figures) => number) =>
      console.log(
        `| ${name} | ${pick(baseline).toFixed(0)} ms | ${pick(target).toFixed(0)} ms | ${ratio(pick(target), pick(baseline))} |`
      )
    if (baseline.workers !== undefined && target.workers !== undefined) {
      row("webhook outbox caught up with the grown log (worker spawn to first webhook)", (f) => f.workers!.catchUpMs)
      row("worker restart: spawn to next webhook", (f) => f.workers!.restartMs)
      row("outbox takeover by a standby: stop to next webhook", (f) => f.workers!.takeoverMs)
    }
    baseline.endpoints.forEach((b, index) => {
      const t = target.endpoints[index]!
      console.log(
        `| ${b.name} p50 / p99 | ${b.p50.toFixed(1)} / ${b.p99.toFixed(1)} ms | ${t.p50.toFixed(1)} / ${t.p99.toFixed(1)} ms | ${ratio(t.p99, b.p99)} (p99) |`
      )
    })
  } finally {
    await database.drop()
  }
}

await main()
