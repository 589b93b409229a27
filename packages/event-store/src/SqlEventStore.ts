/**
 * The EventStore on PostgreSQL's SQL, through whatever `SqlClient` is provided: a PostgreSQL server
 * (`PostgresDatabase`) or the embedded PGlite (`EmbeddedDatabase`). Both run this same code.
 */
import {
  comparePositions,
  type AppendMetadata,
  type AppendResult,
  EventStore,
  EventStoreFailed,
  LeaseLost,
  type Position,
  type ReadAllOptions,
  type StoredEvent,
  type StreamAppend,
  WrongExpectedVersion
} from "@onair/core"
import { PgClient } from "@effect/sql-pg/PgClient"
import { Deferred, Duration, Effect, Exit, Layer, Option, Queue } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as AppendAnnouncer from "./AppendAnnouncer.ts"
import * as AppendStatement from "./AppendStatement.ts"
import * as ConsumerCheckpoints from "./ConsumerCheckpoints.ts"
import * as Migrations from "./Migrations.ts"
import * as SecretFields from "./SecretFields.ts"
import * as StoreMetrics from "./StoreMetrics.ts"
import * as TraceParents from "./TraceParents.ts"
import { type Keyring, SecretKeyring } from "./SecretKeyring.ts"
import * as SecretKeysInUse from "./SecretKeysInUse.ts"

interface EventRow {
  readonly global_position: bigint | number | string
  readonly transaction_text: string
  readonly stream_name: string
  readonly stream_version: bigint | number | string
  readonly event_id: string
  readonly event_type: string
  readonly data: unknown
  readonly metadata: unknown
  readonly recorded_at_ms: bigint | number | string
}

const toStoredEvent = (row: EventRow): StoredEvent => ({
  id: row.event_id,
  stream: row.stream_name,
  version: Number(row.stream_version),
  position: { transaction: Number(row.transaction_text), sequence: Number(row.global_position) },
  type: row.event_type,
  data: parseJson(row.data),
  metadata: parseJson(row.metadata) as AppendMetadata,
  recordedAt: Number(row.recorded_at_ms)
})

/** Rows as events with their secret fields opened; a value no key of the ring opens fails the read. */
const openRows = (keyring: Keyring, rows: ReadonlyArray<EventRow>, operation: string) => {
  const events: Array<StoredEvent> = []
  for (const row of rows) {
    const event = toStoredEvent(row)
    const opened = SecretFields.open(keyring, event.stream, event.data)
    if ("error" in opened) return Effect.fail(new EventStoreFailed({ operation, message: opened.error }))
    events.push(opened.data === event.data ? event : { ...event, data: opened.data })
  }
  return Effect.succeed(events)
}

/** jsonb arrives parsed from some drivers and as text from others. */
const parseJson = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : value)

/** The database's own words when it gave any: they say what was wrong. */
const failed = (operation: string) => (error: SqlError) => {
  const server = (error.reason as { readonly cause?: { readonly message?: unknown } }).cause?.message
  return new EventStoreFailed({
    operation,
    message: typeof server === "string" && server !== error.message ? `${error.message}: ${server}` : error.message
  })
}

/** How often an append with "any" is tried when racing appends keep taking its version. */
const MAX_ANY_ATTEMPTS = 30
/** The longest pause between two attempts of a racing "any" append. */
const MAX_RETRY_PAUSE_MILLIS = 50

/** Refuses what the database would refuse less clearly, before any round trip. */
const validateAppends = (appends: ReadonlyArray<StreamAppend>): string | undefined => {
  const seen = new Set<string>()
  for (const append of appends) {
    if (append.stream.length === 0 || append.stream.length > 300) return "stream names are 1 to 300 characters"
    if (seen.has(append.stream)) return `stream ${append.stream} appears twice in one append`
    seen.add(append.stream)
    const expected = append.expectedVersion
    if (expected !== "any" && (!Number.isSafeInteger(expected) || expected < 0)) {
      return `expected version of ${append.stream} must be a whole number >= 0 or "any"`
    }
    for (const event of append.events) {
      if (event.type.length === 0) return `an event of ${append.stream} has no type`
    }
  }
  return undefined
}

export interface SqlEventStoreOptions {
  /** Nothing else appends to this database (see `EventStore.soleWriter`); default false. */
  readonly soleWriter?: boolean
}

/** The channel appends are announced on, so other processes' subscriptions wake at once instead of polling. */
export const APPENDS_CHANNEL = "onair_appends"

export const make = (options?: SqlEventStoreOptions) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const keyring = yield* SecretKeyring
    const soleWriter = options?.soleWriter ?? false
    // Several processes share a PostgreSQL log: each announces its appends and listens for the others'.
    const pg = soleWriter ? Option.none() : yield* Effect.serviceOption(PgClient)
    const announcer = Option.isSome(pg) ? yield* AppendAnnouncer.make(pg.value, APPENDS_CHANNEL) : undefined
    let appendCount = 0
    let waiters: Array<Deferred.Deferred<void>> = []

    /** Counts a committed append and wakes whoever waits for one. */
    const appended = () => {
      appendCount++
      if (waiters.length === 0) return
      const woken = waiters
      waiters = []
      for (const waiter of woken) Deferred.doneUnsafe(waiter, Exit.void)
    }

    const findCommand = Effect.fn("EventStore.findCommand")(function* (commandId: string) {
      const rows = yield* AppendStatement.findCommand(sql, commandId).pipe(Effect.mapError(failed("findCommand")))
      return rows.length === 0 ? undefined : AppendStatement.resultOf(rows, true)
    })

    /** After a refusal: the earlier result of this command, a version mismatch, or undefined to try again. */
    const explainRefusal = Effect.fn("EventStore.explainRefusal")(function* (
      writing: ReadonlyArray<StreamAppend>,
      metadata: AppendMetadata
    ) {
      const earlier = yield* findCommand(metadata.commandId)
      if (earlier !== undefined) return earlier
      for (const append of writing) {
        if (append.expectedVersion === "any") continue
        const actual = yield* AppendStatement.currentVersion(sql, append.stream).pipe(Effect.mapError(failed("append")))
        if (actual !== append.expectedVersion) {
          return yield* new WrongExpectedVersion({ stream: append.stream, expected: append.expectedVersion, actual })
        }
      }
      return undefined
    })

    // The hot path is written without a generator: one statement, then plain functions on its result.
    const attemptAppend = (
      writing: ReadonlyArray<StreamAppend>,
      metadata: AppendMetadata,
      attempt: number
    ): Effect.Effect<AppendResult, WrongExpectedVersion | EventStoreFailed> =>
      AppendStatement.insert(sql, writing, metadata).pipe(
        Effect.mapError(failed("append")),
        Effect.flatMap((inserted) => {
          if (inserted !== AppendStatement.Refused) {
            appended()
            announcer?.committed()
            return Effect.succeed(AppendStatement.resultOf(inserted, false))
          }
          // Refused: this command was appended before, or a version did not match, or a racing append took
          // the version an "any" append was about to write (then try again).
          return Effect.flatMap(explainRefusal(writing, metadata), (outcome) => {
            if (outcome !== undefined) return Effect.succeed(outcome)
            // Racing writers of one stream take turns: a jittered pause, growing with each lost race,
            // keeps them from colliding again and again.
            if (attempt < MAX_ANY_ATTEMPTS) {
              const pause = Math.random() * Math.min(MAX_RETRY_PAUSE_MILLIS, 2 ** attempt)
              return Effect.andThen(Effect.sleep(Duration.millis(pause)), attemptAppend(writing, metadata, attempt + 1))
            }
            return Effect.fail(
              new EventStoreFailed({
                operation: "append",
                message: `other appends kept taking the next version, ${MAX_ANY_ATTEMPTS} attempts`
              })
            )
          })
        })
      )

    const appendMany = (
      appends: ReadonlyArray<StreamAppend>,
      metadata: AppendMetadata
    ): Effect.Effect<AppendResult, WrongExpectedVersion | EventStoreFailed> => {
      const invalid = validateAppends(appends)
      if (invalid !== undefined) return Effect.fail(new EventStoreFailed({ operation: "append", message: invalid }))
      // An append without events writes nothing and checks nothing.
      const writing = appends.filter((append) => append.events.length > 0)
      if (writing.length === 0) return Effect.succeed({ streams: [], transaction: 0, duplicate: false })
      // Secrets never reach the database in clear.
      const sealed = SecretFields.sealAppends(keyring, writing)
      return StoreMetrics.measured(
        Effect.flatMap(TraceParents.current, (traceParent) =>
          attemptAppend(
            sealed,
            traceParent === undefined || metadata.traceParent !== undefined ? metadata : { ...metadata, traceParent },
            1
          )
        )
      ).pipe(
        Effect.withSpan("EventStore.append", {
          attributes: { "onair.streams": writing.map((append) => append.stream).join(" ") }
        })
      )
    }

    // Aliases differ from column names: ORDER BY would take an output alias over the column.
    const eventColumns = sql.literal(`
    global_position, transaction_id::text AS transaction_text, stream_name, stream_version, event_id::text AS event_id,
    event_type, data, metadata, (extract(epoch FROM recorded_at) * 1000)::bigint AS recorded_at_ms`)

    const readStream = Effect.fn("EventStore.readStream")(function* (
      stream: string,
      options?: { readonly afterVersion?: number }
    ) {
      const after = options?.afterVersion ?? 0
      const rows = yield* sql<EventRow>`
      SELECT ${eventColumns} FROM onair_events
      WHERE stream_name = ${stream} AND stream_version > ${after}
      ORDER BY stream_version`.pipe(Effect.mapError(failed("readStream")))
      const events = yield* openRows(keyring, rows, "readStream")
      return { version: events.at(-1)?.version ?? after, events }
    })

    const readForCommand = Effect.fn("EventStore.readForCommand")(function* (
      commandId: string,
      streams: ReadonlyArray<string>
    ) {
      // The earlier append's rows (one per stream, shaped as events) first, then the streams' events.
      const rows = yield* sql<EventRow & { readonly part: number }>`
      SELECT 0 AS part, first_position AS global_position, transaction_text, stream_name, stream_version,
             NULL::text AS event_id, NULL::text AS event_type, NULL::jsonb AS data, NULL::jsonb AS metadata,
             NULL::bigint AS recorded_at_ms
      FROM (${AppendStatement.commandAppend(sql, commandId)}) AS c
      UNION ALL
      SELECT 1 AS part, ${eventColumns} FROM onair_events
      WHERE ${streams.length === 0 ? sql.literal("false") : sql`stream_name IN ${sql.in(streams)}`}
      ORDER BY part, global_position`.pipe(Effect.mapError(failed("readForCommand")))
      const earlier = rows.filter((row) => Number(row.part) === 0)
      const events = yield* openRows(
        keyring,
        rows.filter((row) => Number(row.part) === 1),
        "readForCommand"
      )
      const read = new Map<string, { version: number; events: Array<StoredEvent> }>(
        streams.map((stream) => [stream, { version: 0, events: [] }])
      )
      for (const event of events) {
        const stream = read.get(event.stream)!
        stream.events.push(event)
        stream.version = event.version
      }
      return { earlier: earlier.length === 0 ? undefined : AppendStatement.resultOf(earlier, true), streams: read }
    })

    const readAll = Effect.fn("EventStore.readAll")(function* (
      from: Position,
      limit: number,
      options?: ReadAllOptions
    ) {
      const size = Math.max(1, Math.floor(limit))
      const category = options?.category
      // A category read takes the snapshot's horizon first (every transaction below it is final) and reads
      // below it; when it found fewer than a page, it has read that far, events or not.
      let horizon: string | undefined
      // Only transactions older than the oldest one still running: none of them can still commit, so
      // nothing will ever appear before what this returns.
      const rows = yield* (
        category === undefined
          ? sql<EventRow>`
        SELECT ${eventColumns} FROM onair_events
        WHERE (transaction_id, global_position) > (${String(from.transaction)}::xid8, ${from.sequence})
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id, global_position
        LIMIT ${size}`
          : Effect.flatMap(
              sql<{ readonly xmin: string }>`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`,
              ([first]) => {
                horizon = first?.xmin
                return sql<EventRow>`
          SELECT ${eventColumns} FROM onair_events
          WHERE split_part(stream_name, '-', 1) = ${category}
            AND (transaction_id, global_position) > (${String(from.transaction)}::xid8, ${from.sequence})
            AND transaction_id < ${horizon ?? "0"}::xid8
          ORDER BY transaction_id, global_position
          LIMIT ${size}`
              }
            )
      ).pipe(Effect.mapError(failed("readAll")))
      // A full page may have cut its last transaction: the rest of it comes too, so no unit is split.
      const last = rows.length === size ? rows.at(-1) : undefined
      const rest =
        last === undefined
          ? []
          : yield* sql<EventRow>`
      SELECT ${eventColumns} FROM onair_events
      WHERE transaction_id = ${last.transaction_text}::xid8 AND global_position > ${String(last.global_position)}::bigint
        AND (${category ?? null}::text IS NULL OR split_part(stream_name, '-', 1) = ${category ?? null}::text)
      ORDER BY global_position`.pipe(Effect.mapError(failed("readAll")))
      const events = yield* openRows(keyring, rest.length === 0 ? rows : [...rows, ...rest], "readAll")
      const reached = events.at(-1)?.position ?? from
      if (horizon === undefined || rows.length === size) return { events, next: reached }
      const below: Position = { transaction: Number(horizon) - 1, sequence: Number.MAX_SAFE_INTEGER }
      return { events, next: comparePositions(below, reached) > 0 ? below : reached }
    })

    const loadCheckpoint = Effect.fn("EventStore.loadCheckpoint")(function* (consumer: string) {
      return yield* ConsumerCheckpoints.load(sql, consumer).pipe(Effect.mapError(failed("loadCheckpoint")))
    })

    const storeCheckpoint = Effect.fn("EventStore.storeCheckpoint")(function* (
      consumer: string,
      position: Position,
      owner?: string
    ) {
      if (owner === undefined) {
        return yield* ConsumerCheckpoints.store(sql, consumer, position).pipe(
          Effect.mapError(failed("storeCheckpoint"))
        )
      }
      const held = yield* ConsumerCheckpoints.storeHeld(sql, consumer, position, owner).pipe(
        Effect.mapError(failed("storeCheckpoint"))
      )
      if (!held) return yield* new LeaseLost({ consumer, owner })
    })

    const resetCheckpoint = Effect.fn("EventStore.resetCheckpoint")(function* (consumer: string) {
      yield* ConsumerCheckpoints.reset(sql, consumer).pipe(Effect.mapError(failed("resetCheckpoint")))
    })

    const acquireLease = Effect.fn("EventStore.acquireLease")(function* (
      consumer: string,
      owner: string,
      ttlMillis: number
    ) {
      return yield* ConsumerCheckpoints.acquireLease(sql, consumer, owner, ttlMillis).pipe(
        Effect.mapError(failed("acquireLease"))
      )
    })

    const releaseLease = Effect.fn("EventStore.releaseLease")(function* (consumer: string, owner: string) {
      yield* ConsumerCheckpoints.releaseLease(sql, consumer, owner).pipe(Effect.mapError(failed("releaseLease")))
    })

    const awaitAppendAfter = (count: number): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (appendCount > count) return Effect.void
        return Effect.flatMap(Deferred.make<void>(), (waiter) => {
          waiters.push(waiter)
          return Deferred.await(waiter)
        })
      })

    if (Option.isSome(pg)) {
      // Another process's append wakes every waiting subscription here, as a local one does. While the
      // listener is down the subscriptions poll as before; it is opened again after a pause.
      const listen = Effect.scoped(
        Effect.gen(function* () {
          const notifications = yield* pg.value.listen(APPENDS_CHANNEL)
          return yield* Effect.forever(Effect.andThen(Queue.take(notifications), Effect.sync(appended)))
        })
      )
      yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.ignore(listen), Effect.sleep(Duration.seconds(1)))))
    }

    return EventStore.of({
      append: (stream, expectedVersion, events, metadata) =>
        appendMany([{ stream, expectedVersion, events }], metadata),
      appendMany,
      findCommand,
      readForCommand,
      readStream,
      readAll,
      loadCheckpoint,
      storeCheckpoint,
      resetCheckpoint,
      acquireLease,
      releaseLease,
      appendCount: Effect.sync(() => appendCount),
      soleWriter,
      awaitAppendAfter
    })
  })

/** The EventStore on the provided SqlClient (and keyring), after applying pending migrations. */
export const layer = (options?: SqlEventStoreOptions) =>
  Layer.effect(
    EventStore,
    Migrations.run.pipe(
      // A process that could not read the secrets already in the log does not start.
      Effect.andThen(Effect.flatMap(SecretKeyring, SecretKeysInUse.checkAndRecord)),
      Effect.andThen(make(options))
    )
  )
