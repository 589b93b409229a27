/**
 * An append on a sole writer with inline projections registered (`InlineProjections`): the INSERT, then,
 * in the same transaction, each projection that had taken in the whole log before it applies the append's
 * events and moves its checkpoint to them. A projection that fails does so inside a savepoint: the append
 * stands and the projection's runner takes the events in as it would have (and meets the failure there).
 */
import type { AppendMetadata, StoredEvent, StreamAppend } from "@onair/core"
import { Data, Effect, Exit } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as AppendStatement from "./AppendStatement.ts"
import * as ConsumerCheckpoints from "./ConsumerCheckpoints.ts"
import type { InlineProjection } from "./InlineProjections.ts"
import type { SecretKeyring } from "./SecretKeyring.ts"

/** The INSERT was refused: the transaction is rolled back and the caller finds out why, as for any append. */
class InsertRefused extends Data.TaggedError("InsertRefused") {}

/** The events an INSERT wrote, with the data as the append gave it (before sealing): what a projection reads. */
export const insertedEvents = (
  rows: ReadonlyArray<AppendStatement.InsertedEventRow>,
  clear: ReadonlyArray<StreamAppend>,
  metadata: AppendMetadata
): ReadonlyArray<StoredEvent> => {
  const firstVersion = new Map<string, number>()
  for (const row of rows) {
    const version = Number(row.stream_version)
    firstVersion.set(row.stream_name, Math.min(firstVersion.get(row.stream_name) ?? version, version))
  }
  const byStream = new Map(clear.map((append) => [append.stream, append.events]))
  return rows
    .map((row): StoredEvent => {
      const version = Number(row.stream_version)
      const event = byStream.get(row.stream_name)![version - firstVersion.get(row.stream_name)!]!
      return {
        id: row.event_id,
        stream: row.stream_name,
        version,
        position: { transaction: Number(row.transaction_text), sequence: Number(row.global_position) },
        type: event.type,
        data: event.data,
        metadata,
        recordedAt: Number(row.recorded_at_ms)
      }
    })
    .sort((a, b) => a.position.sequence - b.position.sequence)
}

/** The sequence of the log's last event before `first` (0 for none). */
const lastBefore = (sql: SqlClient, first: number) =>
  Effect.map(
    sql<{ readonly last: bigint | number | string | null }>`
      SELECT max(global_position) AS last FROM onair_events WHERE global_position < ${first}`,
    (rows) => Number(rows[0]?.last ?? 0)
  )

export interface AppliedAppend {
  readonly rows: ReadonlyArray<AppendStatement.InsertedEventRow>
  readonly events: ReadonlyArray<StoredEvent>
  /** The projections that took the events in, in the append's transaction. */
  readonly applied: ReadonlyArray<InlineProjection>
  /** The sequence of the log's last event before them. */
  readonly before: number
}

export const appendApplying = (
  sql: SqlClient,
  sealed: ReadonlyArray<StreamAppend>,
  clear: ReadonlyArray<StreamAppend>,
  metadata: AppendMetadata,
  inlines: ReadonlyArray<InlineProjection>
): Effect.Effect<AppliedAppend | AppendStatement.Refused, SqlError, SqlClient | SecretKeyring> =>
  sql
    .withTransaction(
      Effect.gen(function* () {
        const rows = yield* AppendStatement.insert(sql, sealed, metadata)
        if (rows === AppendStatement.Refused) return yield* new InsertRefused()
        const events = insertedEvents(rows, clear, metadata)
        const first = events[0]!
        const last = events.at(-1)!
        const before = yield* lastBefore(sql, first.position.sequence)
        const applied: Array<InlineProjection> = []
        for (const inline of inlines) {
          // Only a projection that has taken in the whole log before: these events are its next ones.
          const checkpoint = yield* ConsumerCheckpoints.load(sql, inline.projection.name)
          if (checkpoint.sequence !== before) continue
          const outcome = yield* Effect.exit(
            sql.withTransaction(
              Effect.andThen(
                inline.projection.apply(events),
                ConsumerCheckpoints.store(sql, inline.projection.name, last.position)
              )
            )
          )
          if (Exit.isSuccess(outcome)) applied.push(inline)
        }
        return { rows, events, applied, before }
      })
    )
    .pipe(Effect.catchTag("InsertRefused", () => Effect.succeed(AppendStatement.Refused)))
