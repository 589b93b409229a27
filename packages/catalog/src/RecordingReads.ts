/**
 * Recordings as the API and the media plane read them: one by id (in the caller's scope), a livestream's
 * page, and the ones a media node is still writing (to fail them when the node is lost).
 */
import type { LivestreamId, MediaNodeId, Recording, RecordingDayTotals, SessionId } from "@onair/core"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { Page, PageRequest, Scope } from "./CatalogReads.ts"
import { decodeRecording } from "./CatalogStates.ts"

/** Which of an app's recordings a list shows. */
export interface RecordingFilter {
  readonly livestreamId?: LivestreamId | undefined
  /** Their phase (`Recording`, `Finalising`, `Ready`, `Failed`). */
  readonly phase?: string | undefined
  /** Started at or after / before (epoch ms). */
  readonly from?: number | undefined
  readonly to?: number | undefined
  readonly order: "ASC" | "DESC"
}

export class RecordingReads extends Context.Service<
  RecordingReads,
  {
    readonly recording: (scope: Scope, id: SessionId) => Effect.Effect<Recording | undefined>
    readonly recordingById: (id: SessionId) => Effect.Effect<Recording | undefined>
    /** The scope's recordings, filtered (a livestream's, say), in the order they started. */
    readonly recordingsIn: (scope: Scope, filter: RecordingFilter, page: PageRequest) => Effect.Effect<Page<Recording>>
    /**
     * Of these recording ids, the ones node `nodeId` keeps the files of, in one read: its own, not deleted,
     * and not in a bucket (unless their transcript is still to be made from the node's copy).
     */
    readonly keptOn: (nodeId: MediaNodeId, ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>>
    /**
     * The recordings of the scope that became ready (deleted ones too: they were made), per UTC day they
     * started in `[from, to)` (epoch ms), with their durations summed.
     */
    readonly readyDays: (
      scope: Scope,
      days: { readonly from: number; readonly to: number }
    ) => Effect.Effect<ReadonlyArray<RecordingDayTotals>>
    /** The recordings node `nodeId` is still writing or joining. */
    readonly unsettledOn: (nodeId: MediaNodeId) => Effect.Effect<ReadonlyArray<Recording>>
  }
>()("@onair/catalog/RecordingReads") {
  static readonly make = Effect.gen(function* () {
    const sql = yield* SqlClient
    const rows = (query: Effect.Effect<ReadonlyArray<{ readonly state: unknown }>, unknown>) =>
      Effect.orDie(Effect.map(query, (found) => found.map((row) => decodeRecording(row.state))))
    return RecordingReads.of({
      recording: (scope, id) =>
        Effect.map(
          rows(sql`
            SELECT state FROM onair_recordings
            WHERE id = ${id} AND account_id = ${scope.accountId} AND app_id = ${scope.appId} AND NOT deleted`),
          (found) => found[0]
        ),
      recordingById: (id) =>
        Effect.map(rows(sql`SELECT state FROM onair_recordings WHERE id = ${id}`), (found) => found[0]),
      recordingsIn: (scope, filter, page) =>
        Effect.gen(function* () {
          const conditions = [
            sql`account_id = ${scope.accountId}`,
            sql`app_id = ${scope.appId}`,
            sql`NOT deleted`,
            ...(filter.livestreamId === undefined ? [] : [sql`livestream_id = ${filter.livestreamId}`]),
            ...(filter.phase === undefined ? [] : [sql`phase = ${filter.phase}`]),
            ...(filter.from === undefined
              ? []
              : [sql`started_at >= ${new Date(filter.from).toISOString()}::timestamptz`]),
            ...(filter.to === undefined ? [] : [sql`started_at < ${new Date(filter.to).toISOString()}::timestamptz`])
          ]
          const where = sql.and(conditions)
          const order = filter.order === "ASC" ? sql`ordinal ASC` : sql`ordinal DESC`
          const items = yield* rows(sql`
            SELECT state FROM onair_recordings WHERE ${where}
            ORDER BY ${order} LIMIT ${page.perPage} OFFSET ${(page.pageNo - 1) * page.perPage}`)
          const total = yield* Effect.orDie(
            sql<{ total: unknown }>`SELECT count(*) AS total FROM onair_recordings WHERE ${where}`
          )
          return { items, total: Number(total[0]?.total ?? 0) }
        }),
      keptOn: (nodeId, ids) =>
        ids.length === 0
          ? Effect.succeed([])
          : Effect.orDie(
              Effect.map(
                sql<{ id: string }>`
            SELECT id FROM onair_recordings
            WHERE node_id = ${nodeId} AND NOT deleted AND id IN ${sql.in(ids)}
              AND (stored IS DISTINCT FROM 's3' OR (
                (state->>'transcribe')::boolean
                AND coalesce(state->'transcription'->>'_tag', '') NOT IN ('Transcribed', 'TranscriptionFailed')))`,
                (found) => found.map((row) => row.id)
              )
            ),
      readyDays: (scope, days) =>
        Effect.orDie(
          Effect.map(
            sql<{ day: unknown; recordings: unknown; seconds: unknown }>`
            SELECT (extract(epoch FROM date_trunc('day', started_at AT TIME ZONE 'UTC')) * 1000)::bigint AS day,
              count(*) AS recordings, sum(duration_seconds) AS seconds
            FROM onair_recordings
            WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId} AND duration_seconds IS NOT NULL
              AND started_at >= ${new Date(days.from).toISOString()}::timestamptz
              AND started_at < ${new Date(days.to).toISOString()}::timestamptz
            GROUP BY 1`,
            (rows) =>
              rows.map((row) => ({
                day: Number(row.day),
                recordings: Number(row.recordings),
                seconds: Number(row.seconds)
              }))
          )
        ),
      unsettledOn: (nodeId) =>
        rows(sql`SELECT state FROM onair_recordings WHERE node_id = ${nodeId} AND phase IN ('Recording', 'Finalising')`)
    })
  })

  static readonly layer = Layer.effect(RecordingReads, RecordingReads.make)
}
