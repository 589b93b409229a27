/**
 * Restream targets as the API and the media plane read them: a livestream's (in the caller's scope, in
 * the order they were made), one by id, how many a livestream has, and the ones whose relay runs.
 */
import type { LivestreamId, RestreamTarget } from "@onair/core"
import { SecretKeyring } from "@onair/event-store"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { Scope } from "./CatalogReads.ts"
import { restreamStates } from "./CatalogStates.ts"

/** A relay's latest progress, as its node sampled it. */
export interface RelayProgress {
  readonly targetId: string
  readonly sessionId: string
  readonly bytes: number
  readonly bitrateKbps: number
  readonly frames: number
  readonly speed: number
  readonly sampledAt: number
}

export class RestreamReads extends Context.Service<
  RestreamReads,
  {
    readonly targetsOf: (scope: Scope, livestreamId: LivestreamId) => Effect.Effect<ReadonlyArray<RestreamTarget>>
    readonly target: (scope: Scope, livestreamId: LivestreamId, id: string) => Effect.Effect<RestreamTarget | undefined>
    /**
     * The targets the control plane's relay loop looks at: those of livestreams that are live, and those
     * whose relay runs (for a session that may have ended), at most `limit`.
     */
    readonly unsettled: (limit: number) => Effect.Effect<ReadonlyArray<RestreamTarget>>
    /** The targets whose relay connects or is live now. */
    readonly relaying: () => Effect.Effect<ReadonlyArray<RestreamTarget>>
    /** The latest progress of these targets' relays, by target id. */
    readonly progressOf: (targetIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, RelayProgress>>
    /** Keeps the nodes' latest samples (one row per target, the newest wins). */
    readonly recordProgress: (samples: ReadonlyArray<RelayProgress>) => Effect.Effect<void>
    /** Every target of the livestream, in any scope (the media plane's read). */
    readonly targetsOfLivestream: (livestreamId: LivestreamId) => Effect.Effect<ReadonlyArray<RestreamTarget>>
  }
>()("@onair/catalog/RestreamReads") {
  static readonly make = Effect.gen(function* () {
    const sql = yield* SqlClient
    const states = restreamStates(yield* SecretKeyring)
    const rows = (query: Effect.Effect<ReadonlyArray<{ readonly state: unknown }>, unknown>) =>
      Effect.orDie(Effect.map(query, (found) => found.map((row) => states.decode(row.state))))
    return RestreamReads.of({
      targetsOf: (scope, livestreamId) =>
        rows(sql`
          SELECT state FROM onair_restream_targets
          WHERE livestream_id = ${livestreamId} AND account_id = ${scope.accountId} AND app_id = ${scope.appId} AND NOT deleted
          ORDER BY ordinal`),
      target: (scope, livestreamId, id) =>
        Effect.map(
          rows(sql`
            SELECT state FROM onair_restream_targets
            WHERE id = ${id} AND livestream_id = ${livestreamId} AND account_id = ${scope.accountId} AND app_id = ${scope.appId}
              AND NOT deleted`),
          (found) => found[0]
        ),
      unsettled: (limit) =>
        rows(sql`
          SELECT t.state FROM onair_restream_targets t JOIN onair_livestreams l ON l.id = t.livestream_id
          WHERE NOT t.deleted AND l.status = 'LIVE'
          UNION
          SELECT state FROM onair_restream_targets WHERE relay IN ('Connecting', 'Live', 'Retrying')
          LIMIT ${limit}`),
      relaying: () => rows(sql`SELECT state FROM onair_restream_targets WHERE relay IN ('Connecting', 'Live')`),
      progressOf: (targetIds) =>
        targetIds.length === 0
          ? Effect.succeed(new Map())
          : Effect.orDie(
              Effect.map(
                sql<{
                  target_id: string
                  session_id: string
                  bytes: unknown
                  bitrate_kbps: unknown
                  frames: unknown
                  speed: unknown
                  sampled_at: unknown
                }>`
            SELECT target_id, session_id, bytes, bitrate_kbps, frames, speed, sampled_at FROM onair_relay_progress
            WHERE target_id IN ${sql.in(targetIds)}`,
                (found) =>
                  new Map(
                    found.map((row) => [
                      row.target_id,
                      {
                        targetId: row.target_id,
                        sessionId: row.session_id,
                        bytes: Number(row.bytes),
                        bitrateKbps: Number(row.bitrate_kbps),
                        frames: Number(row.frames),
                        speed: Number(row.speed),
                        sampledAt: new Date(row.sampled_at as string).getTime()
                      }
                    ])
                  )
              )
            ),
      recordProgress: (samples) =>
        samples.length === 0
          ? Effect.void
          : Effect.orDie(
              Effect.asVoid(sql`
          INSERT INTO onair_relay_progress (target_id, session_id, bytes, bitrate_kbps, frames, speed, sampled_at)
          SELECT target_id, session_id, bytes, bitrate_kbps, frames, speed, to_timestamp(sampled_at / 1000.0)
          FROM jsonb_to_recordset(${JSON.stringify(
            samples.map((s) => ({
              target_id: s.targetId,
              session_id: s.sessionId,
              bytes: Math.round(s.bytes),
              bitrate_kbps: s.bitrateKbps,
              frames: Math.round(s.frames),
              speed: s.speed,
              sampled_at: s.sampledAt
            }))
          )}::jsonb) AS r(target_id text, session_id text, bytes bigint, bitrate_kbps double precision, frames bigint, speed double precision, sampled_at double precision)
          ON CONFLICT (target_id) DO UPDATE SET session_id = excluded.session_id, bytes = excluded.bytes,
            bitrate_kbps = excluded.bitrate_kbps, frames = excluded.frames, speed = excluded.speed, sampled_at = excluded.sampled_at`)
            ),
      targetsOfLivestream: (livestreamId) =>
        rows(
          sql`SELECT state FROM onair_restream_targets WHERE livestream_id = ${livestreamId} AND NOT deleted ORDER BY ordinal`
        )
    })
  })

  static readonly layer = Layer.effect(RestreamReads, RestreamReads.make)
}
