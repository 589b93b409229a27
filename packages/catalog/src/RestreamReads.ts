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

export class RestreamReads extends Context.Service<RestreamReads, {
  readonly targetsOf: (scope: Scope, livestreamId: LivestreamId) => Effect.Effect<ReadonlyArray<RestreamTarget>>
  readonly target: (scope: Scope, livestreamId: LivestreamId, id: string) => Effect.Effect<RestreamTarget | undefined>
  /**
   * The targets the control plane's relay loop looks at: those of livestreams that are live, and those
   * whose relay runs (for a session that may have ended), at most `limit`.
   */
  readonly unsettled: (limit: number) => Effect.Effect<ReadonlyArray<RestreamTarget>>
  /** The targets whose relay connects or is live now. */
  readonly relaying: () => Effect.Effect<ReadonlyArray<RestreamTarget>>
  /** Every target of the livestream, in any scope (the media plane's read). */
  readonly targetsOfLivestream: (livestreamId: LivestreamId) => Effect.Effect<ReadonlyArray<RestreamTarget>>
}>()("@onair/catalog/RestreamReads") {
  static readonly make = Effect.gen(function*() {
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
      targetsOfLivestream: (livestreamId) =>
        rows(sql`SELECT state FROM onair_restream_targets WHERE livestream_id = ${livestreamId} AND NOT deleted ORDER BY ordinal`)
    })
  })

  static readonly layer = Layer.effect(RestreamReads, RestreamReads.make)
}
