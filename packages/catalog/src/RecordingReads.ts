/**
 * Recordings as the API and the media plane read them: one by id (in the caller's scope), a livestream's
 * page, and the ones a media node is still writing (to fail them when the node is lost).
 */
import type { LivestreamId, MediaNodeId, Recording, SessionId } from "@onair/core"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { Page, PageRequest, Scope } from "./CatalogReads.ts"
import { decodeRecording } from "./CatalogStates.ts"

export class RecordingReads extends Context.Service<RecordingReads, {
  readonly recording: (scope: Scope, id: SessionId) => Effect.Effect<Recording | undefined>
  readonly recordingById: (id: SessionId) => Effect.Effect<Recording | undefined>
  /** A livestream's recordings, newest first. */
  readonly recordingsOf: (scope: Scope, livestreamId: LivestreamId, page: PageRequest) => Effect.Effect<Page<Recording>>
  /** Of these recording ids, the ones node `nodeId` keeps the files of (its own, not deleted), in one read. */
  readonly keptOn: (nodeId: MediaNodeId, ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>>
  /** The recordings node `nodeId` is still writing or joining. */
  readonly unsettledOn: (nodeId: MediaNodeId) => Effect.Effect<ReadonlyArray<Recording>>
}>()("@onair/catalog/RecordingReads") {
  static readonly make = Effect.gen(function*() {
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
      recordingById: (id) => Effect.map(rows(sql`SELECT state FROM onair_recordings WHERE id = ${id}`), (found) => found[0]),
      recordingsOf: (scope, livestreamId, page) =>
        Effect.gen(function*() {
          const items = yield* rows(sql`
            SELECT state FROM onair_recordings
            WHERE livestream_id = ${livestreamId} AND account_id = ${scope.accountId} AND app_id = ${scope.appId} AND NOT deleted
            ORDER BY ordinal DESC LIMIT ${page.perPage} OFFSET ${(page.pageNo - 1) * page.perPage}`)
          const total = yield* Effect.orDie(sql<{ total: unknown }>`
            SELECT count(*) AS total FROM onair_recordings
            WHERE livestream_id = ${livestreamId} AND account_id = ${scope.accountId} AND app_id = ${scope.appId} AND NOT deleted`)
          return { items, total: Number(total[0]?.total ?? 0) }
        }),
      keptOn: (nodeId, ids) =>
        ids.length === 0 ? Effect.succeed([]) : Effect.orDie(Effect.map(
          sql<{ id: string }>`
            SELECT id FROM onair_recordings WHERE node_id = ${nodeId} AND NOT deleted AND id IN ${sql.in(ids)}`,
          (found) => found.map((row) => row.id)
        )),
      unsettledOn: (nodeId) =>
        rows(sql`SELECT state FROM onair_recordings WHERE node_id = ${nodeId} AND phase IN ('Recording', 'Finalising')`)
    })
  })

  static readonly layer = Layer.effect(RecordingReads, RecordingReads.make)
}
