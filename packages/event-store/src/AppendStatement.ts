/**
 * The SQL of an append: one INSERT statement per append, so a unit of work is atomic without a
 * transaction block and costs one round trip.
 *
 * The statement reads each stream's version (its last event's, through the unique index) and inserts the
 * events after it only if every expected version matches; otherwise it inserts nothing. Two appends racing
 * for one version meet at the unique (stream, version) index and the later one fails. An event's id is
 * derived from the command id and the event's place in the append (`eventId`), so two appends of one
 * command meet at the unique event id index. Both come back as `Refused`, and the caller finds out why.
 *
 * Why this keeps each stream's order in the global log, which is by transaction id: a transaction gets its
 * id at its first write, after its statement took its snapshot. An append that writes version k+1 saw
 * version k committed in that snapshot, so the transaction that wrote k had its id before this one did.
 * (An append therefore must not run inside a transaction that wrote something earlier.)
 */
import type { AppendMetadata, StreamAppend } from "@onair/core"
import { Effect } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

export interface InsertedRow {
  readonly stream_name: string
  readonly stream_version: bigint | number | string
  readonly transaction_text: string
}

/** The statement inserted nothing: a version did not match, or a racing append won. */
export const Refused = Symbol("Refused")
export type Refused = typeof Refused

/** The most common append, one event to one stream, as the plainest statement. */
const singleEvent = (sql: SqlClient, append: StreamAppend, metadata: AppendMetadata) => {
  const expected = append.expectedVersion === "any" ? null : append.expectedVersion
  const event = append.events[0]!
  return sql<InsertedRow>`
    INSERT INTO onair_events (event_id, stream_name, stream_version, event_type, data, metadata)
    SELECT md5(${metadata.commandId} || ':1')::uuid, ${append.stream}, current.version + 1, ${event.type},
           ${JSON.stringify(event.data)}::jsonb, ${JSON.stringify(metadata)}::jsonb
    FROM (
      SELECT coalesce((
        SELECT stream_version FROM onair_events WHERE stream_name = ${append.stream}
        ORDER BY stream_version DESC LIMIT 1
      ), 0) AS version
    ) AS current
    WHERE ${expected}::bigint IS NULL OR current.version = ${expected}::bigint
    RETURNING stream_name, stream_version, transaction_id::text AS transaction_text`
}

const singleStream = (sql: SqlClient, append: StreamAppend, metadata: AppendMetadata) => {
  const expected = append.expectedVersion === "any" ? null : append.expectedVersion
  const events = JSON.stringify(append.events.map((event) => ({ type: event.type, data: event.data })))
  return sql<InsertedRow>`
    INSERT INTO onair_events (event_id, stream_name, stream_version, event_type, data, metadata)
    SELECT md5(${metadata.commandId} || ':' || e.ord)::uuid, ${append.stream}, current.version + e.ord, e.type,
           e.data, ${JSON.stringify(metadata)}::jsonb
    FROM (
      SELECT coalesce((
        SELECT stream_version FROM onair_events WHERE stream_name = ${append.stream}
        ORDER BY stream_version DESC LIMIT 1
      ), 0) AS version
    ) AS current,
    ROWS FROM (jsonb_to_recordset(${events}::jsonb) AS (type text, data jsonb)) WITH ORDINALITY AS e(type, data, ord)
    WHERE ${expected}::bigint IS NULL OR current.version = ${expected}::bigint
    ORDER BY e.ord
    RETURNING stream_name, stream_version, transaction_id::text AS transaction_text`
}

const manyStreams = (sql: SqlClient, appends: ReadonlyArray<StreamAppend>, metadata: AppendMetadata) => {
  const streams = JSON.stringify(
    appends.map((append) => ({
      stream: append.stream,
      expected: append.expectedVersion === "any" ? null : append.expectedVersion
    }))
  )
  const events = JSON.stringify(
    appends.flatMap((append, index) =>
      append.events.map((event) => ({ stream_index: index + 1, type: event.type, data: event.data }))
    )
  )
  return sql<InsertedRow>`
    WITH streams AS (
      SELECT s.stream, s.expected, s.ord, coalesce((
        SELECT stream_version FROM onair_events WHERE stream_name = s.stream ORDER BY stream_version DESC LIMIT 1
      ), 0) AS version
      FROM ROWS FROM (jsonb_to_recordset(${streams}::jsonb) AS (stream text, expected bigint))
        WITH ORDINALITY AS s(stream, expected, ord)
    )
    INSERT INTO onair_events (event_id, stream_name, stream_version, event_type, data, metadata)
    SELECT md5(${metadata.commandId} || ':' || e.ord)::uuid, streams.stream,
           streams.version + row_number() OVER (PARTITION BY e.stream_index ORDER BY e.ord),
           e.type, e.data, ${JSON.stringify(metadata)}::jsonb
    FROM ROWS FROM (jsonb_to_recordset(${events}::jsonb) AS (stream_index bigint, type text, data jsonb))
      WITH ORDINALITY AS e(stream_index, type, data, ord)
    JOIN streams ON streams.ord = e.stream_index
    WHERE (SELECT bool_and(expected IS NULL OR expected = version) FROM streams)
    ORDER BY e.ord
    RETURNING stream_name, stream_version, transaction_id::text AS transaction_text`
}

const statementFor = (sql: SqlClient, appends: ReadonlyArray<StreamAppend>, metadata: AppendMetadata) => {
  const only = appends.length === 1 ? appends[0]! : undefined
  if (only === undefined) return manyStreams(sql, appends, metadata)
  return only.events.length === 1 ? singleEvent(sql, only, metadata) : singleStream(sql, only, metadata)
}

/** Inserts the events of the non-empty appends, or nothing and `Refused`. */
export const insert = (
  sql: SqlClient,
  appends: ReadonlyArray<StreamAppend>,
  metadata: AppendMetadata
): Effect.Effect<ReadonlyArray<InsertedRow> | Refused, SqlError> =>
  statementFor(sql, appends, metadata).pipe(
    Effect.map((rows): ReadonlyArray<InsertedRow> | Refused => (rows.length === 0 ? Refused : rows)),
    Effect.catchIf(
      (error: SqlError) => error.reason._tag === "UniqueViolation",
      () => Effect.succeed(Refused)
    )
  )

/** A stream's current version: its last event's, 0 if it has none. */
export const currentVersion = (sql: SqlClient, stream: string): Effect.Effect<number, SqlError> =>
  Effect.map(
    sql<{ readonly stream_version: bigint | number | string }>`
      SELECT stream_version FROM onair_events WHERE stream_name = ${stream} ORDER BY stream_version DESC LIMIT 1`,
    (rows) => (rows[0] === undefined ? 0 : Number(rows[0].stream_version))
  )

/**
 * The append a command id made, as rows to select from: one per stream, with its last version, the
 * transaction, and the stream's first position (`first_position`: the order the streams were appended in).
 */
export const commandAppend = (sql: SqlClient, commandId: string) =>
  sql`
    SELECT e.stream_name, max(e.stream_version) AS stream_version, e.transaction_id::text AS transaction_text,
           min(e.global_position) AS first_position
    FROM onair_events e
    WHERE e.transaction_id = (SELECT transaction_id FROM onair_events WHERE event_id = md5(${commandId} || ':1')::uuid)
      AND e.metadata ->> 'commandId' = ${commandId}
    GROUP BY e.stream_name, e.transaction_id`

/** The streams, versions and transaction of the append a command id made, if it made one. */
export const findCommand = (sql: SqlClient, commandId: string) =>
  sql<InsertedRow>`
    SELECT stream_name, stream_version, transaction_text FROM (${commandAppend(sql, commandId)}) AS c
    ORDER BY first_position`

/** The result of an append from the rows it inserted, streams in the order they were given. */
export const resultOf = (rows: ReadonlyArray<InsertedRow>, duplicate: boolean) => {
  const versions = new Map<string, number>()
  for (const row of rows)
    versions.set(row.stream_name, Math.max(versions.get(row.stream_name) ?? 0, Number(row.stream_version)))
  return {
    streams: [...versions].map(([stream, version]) => ({ stream, version })),
    transaction: Number(rows[0]?.transaction_text ?? 0),
    duplicate
  }
}
