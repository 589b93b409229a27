/**
 * Apps' settings as the API and the media plane read them, and the recordings their retention has made
 * due for deletion.
 */
import { type AppSettings, defaultAppSettings, type SessionId, type Timestamp } from "@onair/core"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { Scope } from "./CatalogReads.ts"
import { decodeAppSettings } from "./CatalogStates.ts"

const DAY_MILLIS = 86_400_000

export class AppSettingsReads extends Context.Service<
  AppSettingsReads,
  {
    /** The app's settings: the defaults (`asOf` their time) while it never changed them. */
    readonly settings: (scope: Scope, asOf: Timestamp) => Effect.Effect<AppSettings>
    /**
     * Settled recordings (ready or failed, not deleted) of apps with a retention, that started more than
     * that many days before `now`: at most `limit`, oldest first.
     */
    readonly pastRetention: (now: number, limit: number) => Effect.Effect<ReadonlyArray<SessionId>>
  }
>()("@onair/catalog/AppSettingsReads") {
  static readonly make = Effect.gen(function* () {
    const sql = yield* SqlClient
    return AppSettingsReads.of({
      settings: (scope, asOf) =>
        Effect.orDie(
          Effect.map(
            sql<{
              state: unknown
            }>`SELECT state FROM onair_app_settings WHERE id = ${`${scope.accountId}.${scope.appId}`}`,
            (rows) =>
              rows[0] === undefined
                ? defaultAppSettings(scope.accountId, scope.appId, asOf)
                : decodeAppSettings(rows[0].state)
          )
        ),
      pastRetention: (now, limit) =>
        Effect.orDie(
          Effect.map(
            sql<{ id: SessionId }>`
            SELECT r.id FROM onair_app_settings a
            JOIN onair_recordings r ON r.account_id = a.account_id AND r.app_id = a.app_id
            WHERE a.retention_days IS NOT NULL AND NOT r.deleted AND r.phase IN ('Ready', 'Failed')
              AND r.started_at < ${new Date(now).toISOString()}::timestamptz - a.retention_days * ${DAY_MILLIS / 1000} * interval '1 second'
            ORDER BY r.started_at LIMIT ${limit}`,
            (rows) => rows.map((row) => row.id)
          )
        )
    })
  })

  static readonly layer = Layer.effect(AppSettingsReads, AppSettingsReads.make)
}
