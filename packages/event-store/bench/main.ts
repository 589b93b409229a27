/**
 * Event store benchmark (`pnpm bench` in this package, or `pnpm bench` at the root).
 *
 * For 1, 8 and 32 concurrent writers appending events of about 500 bytes: appends per second and p50/p99
 * latency, next to plain single-row INSERTs into a table of the same shape on the same database at the same
 * concurrency, measured in the same run, and their ratio. Then subscription catch-up (events read and
 * checkpointed per second) next to a plain keyset scan of the same rows. On PostgreSQL and on the embedded
 * store.
 *
 * PostgreSQL: ONAIR_BENCH_DATABASE_URL, else ONAIR_TEST_DATABASE_URL, else the server scripts/postgres.sh
 * starts. A fresh database is created and dropped. ONAIR_BENCH_SECONDS sets how long each side of each
 * row is measured (default 4), in alternating rounds.
 */
import { PgClient } from "@effect/sql-pg"
import { EventStore, originMetadata, type Timestamp } from "@onair/core"
import { Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import { recordFigure } from "@onair/test-support"
import * as Path from "node:path"
import * as Database from "../src/Database.ts"
import * as Subscription from "../src/Subscription.ts"
import { type Figures, formatMs, formatRate, type Samples, sample, summarise } from "./Measure.ts"

const SECONDS = Number(process.env.ONAIR_BENCH_SECONDS ?? 4)
const ROUNDS = 4
const CONCURRENCY = (process.env.ONAIR_BENCH_WRITERS ?? "1,8,32").split(",").map(Number)

const data = (n: number) => ({ n, title: "Bench event", padding: "x".repeat(440) })
const eventBytes = JSON.stringify(data(123456)).length

const metadataFor = (commandId: string) => originMetadata(commandId, "bench", 1_790_000_000_000 as Timestamp)

const createBaselineTable = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`DROP TABLE IF EXISTS bench_baseline`
  yield* sql`DROP SEQUENCE IF EXISTS bench_baseline_position`
  // The event table's columns, defaults, constraints and indexes, with a sequence of its own, and none of
  // the event store around it.
  yield* sql`CREATE TABLE bench_baseline (LIKE onair_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`
  yield* sql`CREATE SEQUENCE bench_baseline_position OWNED BY bench_baseline.global_position`
  yield* sql`ALTER TABLE bench_baseline ALTER COLUMN global_position SET DEFAULT nextval('bench_baseline_position')`
})

interface WriteRow {
  readonly writers: number
  readonly store: Figures
  readonly baseline: Figures
}

const writeBenchmark = (label: string) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const sql = yield* SqlClient
    yield* createBaselineTable
    const rows: Array<WriteRow> = []
    for (const writers of CONCURRENCY) {
      // Alternate baseline and store rounds so that drift on a shared machine hits both alike.
      const baselineRuns: Array<Samples> = []
      const storeRuns: Array<Samples> = []
      for (let round = 0; round < ROUNDS; round++) {
        const run = `${label}-${writers}-${round}-${Date.now()}`
        baselineRuns.push(
          yield* sample(
            writers,
            (SECONDS * 1000) / ROUNDS,
            (worker, n) =>
              sql`
            INSERT INTO bench_baseline (stream_name, stream_version, event_type, data, metadata)
            VALUES (${`${run}-${worker}`}, ${n + 1}, 'BenchEvent', ${JSON.stringify(data(n))}::jsonb,
                    ${JSON.stringify(metadataFor(`${run}-${worker}-${n}`))}::jsonb)`
          )
        )
        storeRuns.push(
          yield* sample(writers, (SECONDS * 1000) / ROUNDS, (worker, n) =>
            store.append(
              `bench-${run}-${worker}`,
              n,
              [{ type: "BenchEvent", data: data(n) }],
              metadataFor(`${run}-${worker}-${n}`)
            )
          )
        )
      }
      rows.push({ writers, store: summarise(storeRuns), baseline: summarise(baselineRuns) })
    }
    return rows
  })

/** Fills the log with `count` events directly, in large transactions, for the catch-up measurement. */
const seedLog = (count: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const payload = JSON.stringify(data(0))
    const meta = JSON.stringify(metadataFor("seed"))
    for (let done = 0; done < count; done += 10_000) {
      const size = Math.min(10_000, count - done)
      yield* sql`
        INSERT INTO onair_events (stream_name, stream_version, event_type, data, metadata)
        SELECT 'seed-' || (${done} + i) / 100, (${done} + i) % 100 + 1, 'Seeded', ${payload}::jsonb, ${meta}::jsonb
        FROM generate_series(0, ${size - 1}) AS i`
    }
  })

interface CatchUpRow {
  readonly events: number
  readonly storePerSecond: number
  readonly baselinePerSecond: number
}

const catchUpBenchmark = (count: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    yield* seedLog(count)
    const total = Number((yield* sql<{ n: bigint }>`SELECT count(*) AS n FROM onair_events`)[0]!.n)
    const consumer = `bench-catch-up-${Date.now()}`
    let read = 0
    const t0 = performance.now()
    yield* Subscription.catchUp(consumer, (events) => Effect.sync(() => (read += events.length)), { batchSize: 1000 })
    const storeSeconds = (performance.now() - t0) / 1000

    // Baseline: the same rows, the same columns, by keyset pages, no snapshot filter, no checkpoints.
    let scanned = 0
    let last = 0
    const t1 = performance.now()
    for (;;) {
      const page = yield* sql<{ global_position: bigint }>`
        SELECT global_position, transaction_id::text AS transaction_text, stream_name, stream_version,
               event_id::text AS event_id, event_type, data, metadata,
               (extract(epoch FROM recorded_at) * 1000)::bigint AS recorded_at_ms
        FROM onair_events WHERE global_position > ${last} ORDER BY global_position LIMIT 1000`
      if (page.length === 0) break
      scanned += page.length
      last = Number(page.at(-1)!.global_position)
    }
    const baselineSeconds = (performance.now() - t1) / 1000
    if (read !== total || scanned !== total) throw new Error(`read ${read} and scanned ${scanned} of ${total}`)
    return {
      events: total,
      storePerSecond: read / storeSeconds,
      baselinePerSecond: scanned / baselineSeconds
    } satisfies CatchUpRow
  })

const printWrites = (title: string, rows: ReadonlyArray<WriteRow>) => {
  console.log(
    `\n${title}: appends of one ${eventBytes}-byte event, ${SECONDS} s per side in ${ROUNDS} alternating rounds`
  )
  console.log("writers | store appends/s | p50 ms | p99 ms | INSERT rows/s | p50 ms | p99 ms | ratio")
  for (const { writers, store, baseline } of rows) {
    console.log(
      [
        String(writers).padStart(7),
        formatRate(store.perSecond).padStart(15),
        formatMs(store.p50Ms).padStart(6),
        formatMs(store.p99Ms).padStart(6),
        formatRate(baseline.perSecond).padStart(13),
        formatMs(baseline.p50Ms).padStart(6),
        formatMs(baseline.p99Ms).padStart(6),
        (store.perSecond / baseline.perSecond).toFixed(2).padStart(5)
      ].join(" | ")
    )
  }
}

const printCatchUp = (title: string, row: CatchUpRow) => {
  console.log(
    `${title}: catch-up of ${row.events} events: ${formatRate(row.storePerSecond)} events/s read and checkpointed; ` +
      `plain keyset scan ${formatRate(row.baselinePerSecond)} rows/s; ratio ${(
        row.storePerSecond / row.baselinePerSecond
      ).toFixed(2)}`
  )
}

const postgresAdminUrl = (): string => {
  const fromEnv = process.env.ONAIR_BENCH_DATABASE_URL ?? process.env.ONAIR_TEST_DATABASE_URL
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv
  const script = Path.resolve(import.meta.dirname, "../../../scripts/postgres.sh")
  return execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim()
}

const freshPostgres = Effect.gen(function* () {
  const admin = postgresAdminUrl()
  const name = `onair_bench_${process.pid}`
  const adminLayer = PgClient.layer({ url: Redacted.make(admin), maxConnections: 1 })
  const exec = (statement: string) =>
    Effect.flatMap(Effect.service(SqlClient), (sql) => sql.unsafe(statement)).pipe(Effect.provide(adminLayer))
  yield* Effect.acquireRelease(exec(`CREATE DATABASE ${name}`), () =>
    exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).pipe(Effect.ignore)
  )
  const url = new URL(admin)
  url.pathname = `/${name}`
  return url.toString()
})

const onPostgres = Effect.gen(function* () {
  const url = yield* freshPostgres
  const layer = Database.layer({ _tag: "Postgres", url: Redacted.make(url) }, { maxConnections: 32 })
  return yield* Effect.gen(function* () {
    const writes = yield* writeBenchmark("pg")
    const catchUp = yield* catchUpBenchmark(200_000)
    return { writes, catchUp }
  }).pipe(Effect.provide(layer))
})

const onEmbedded = Effect.gen(function* () {
  const dataDir = yield* Effect.acquireRelease(
    Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-bench-"))),
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )
  return yield* Effect.gen(function* () {
    const writes = yield* writeBenchmark("embedded")
    const catchUp = yield* catchUpBenchmark(50_000)
    return { writes, catchUp }
  }).pipe(Effect.provide(Database.layer({ _tag: "Embedded", dataDir })))
})

const main = Effect.gen(function* () {
  console.log(`event-store benchmark on ${Os.cpus().length} cores, Node ${process.version}`)
  const pg = yield* onPostgres
  printWrites("PostgreSQL", pg.writes)
  printCatchUp("PostgreSQL", pg.catchUp)
  const embedded = yield* onEmbedded
  printWrites("Embedded (PGlite, one connection)", embedded.writes)
  printCatchUp("Embedded", embedded.catchUp)
  const at8 = pg.writes.find((row) => row.writers === 8)!
  console.log(
    `\ntargets: PostgreSQL append throughput at 8 writers ${(at8.store.perSecond / at8.baseline.perSecond).toFixed(2)}` +
      ` of the INSERT baseline (target >= 0.70); catch-up ${formatRate(pg.catchUp.storePerSecond)} events/s (target >= 50k)`
  )
  const appendRatio = at8.store.perSecond / at8.baseline.perSecond
  recordFigure({
    bench: "store",
    measure: "PostgreSQL appends/s at 8 writers against plain INSERTs",
    value: `${appendRatio.toFixed(2)} (${at8.store.perSecond.toFixed(0)} vs ${at8.baseline.perSecond.toFixed(0)}/s)`,
    target: ">= 0.70",
    met: appendRatio >= 0.7
  })
  recordFigure({
    bench: "store",
    measure: "PostgreSQL subscription catch-up",
    value: `${formatRate(pg.catchUp.storePerSecond)} events/s`,
    target: ">= 50k events/s",
    met: pg.catchUp.storePerSecond >= 50_000
  })
})

await Effect.runPromise(Effect.scoped(main))
