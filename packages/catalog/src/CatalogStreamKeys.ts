/**
 * `StreamKeys` answered from the catalog: the livestream row holding the key's keyed hash (as its key, or as
 * the key a rotation with grace replaced), read in the same
 * statement as the projection's checkpoint (so the two agree), then the livestream events the projection
 * has not applied yet, from that checkpoint on. Nothing is kept in memory; the tail read is as long as the
 * projection lags (one short category read when it is up to date).
 */
import { StreamKeyIndex, StreamKeys } from "@onair/application"
import { AggregateReadFailed, EventStore, type LivestreamId, type Position, type StreamKey } from "@onair/core"
import { SecretKeyring, Subscription } from "@onair/event-store"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { STREAM_KEY_DIGEST } from "./CatalogStates.ts"
import { PROJECTION } from "./CatalogTables.ts"

export const layer = Layer.effect(
  StreamKeys,
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const keyring = yield* SecretKeyring
    const store = yield* EventStore

    const fromTable = (key: StreamKey) =>
      Effect.map(
        sql<{
          id: string | null
          previous: string | null
          transaction_text: string | null
          global_position: bigint | number | string | null
        }>`
        SELECT
          (SELECT id FROM onair_livestreams WHERE stream_key = ${keyring.digest(STREAM_KEY_DIGEST, key)} AND NOT deleted LIMIT 1) AS id,
          (SELECT id FROM onair_livestreams WHERE previous_stream_key = ${keyring.digest(STREAM_KEY_DIGEST, key)} AND NOT deleted LIMIT 1) AS previous,
          c.transaction_id::text AS transaction_text, c.global_position
        FROM (SELECT 1) AS one LEFT JOIN onair_checkpoints AS c ON c.consumer = ${PROJECTION}`,
        (rows): { readonly id: LivestreamId | null; readonly asPrevious: boolean; readonly position: Position } => {
          const row = rows[0]
          return {
            id: (row?.id ?? row?.previous ?? null) as LivestreamId | null,
            asPrevious: row?.id == null && row?.previous != null,
            position: { transaction: Number(row?.transaction_text ?? 0), sequence: Number(row?.global_position ?? 0) }
          }
        }
      )

    const lookup = (key: StreamKey) =>
      Effect.gen(function* () {
        const table = yield* fromTable(key)
        let found = table.id
        // Whether the key is its livestream's current one, or the one its last rotation kept publishing.
        let asPrevious = table.asPrevious
        yield* Subscription.drain(
          table.position,
          (events) =>
            Effect.sync(() => {
              for (const event of events) {
                const change = StreamKeyIndex.keyChange(event)
                if (change === undefined) continue
                if (change.key === key) {
                  found = change.livestreamId
                  asPrevious = false
                } else if (change.livestreamId === found) {
                  // A rotation with grace keeps the current key publishing as the previous one; any other
                  // change (a second rotation, a deletion) takes it away.
                  if (!asPrevious && change.keepsPrevious) asPrevious = true
                  else found = null
                }
              }
            }),
          () => Effect.void,
          { category: "livestream" }
        )
        return found
      }).pipe(
        Effect.provideService(EventStore, store),
        Effect.mapError((error) => new AggregateReadFailed({ stream: "stream-key-index", message: error.message }))
      )

    return StreamKeys.of({ lookup })
  })
)
