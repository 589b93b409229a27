/**
 * Each account's apps as the API reads them: one app (every request asks, so apps found are kept in a
 * bounded cache: apps are never removed), a page of an account's apps, and whether a scope was used before
 * apps were resources (its livestreams, meetings, webhook endpoints or settings), for registering such an
 * app the first time a request uses it.
 */
import type { AccountId, App, AppId } from "@onair/core"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { Page, Scope } from "./CatalogReads.ts"
import { decodeApp } from "./CatalogStates.ts"

/** Apps kept in memory per process; past it the oldest looked-up is dropped. */
export const KNOWN_APPS_LIMIT = 10_000

export interface AppsFilter {
  readonly pageNo: number
  readonly perPage: number
  /** Apps whose name contains it, case-insensitively. */
  readonly search: string | undefined
  readonly order: "ASC" | "DESC"
  /** Only these apps (a token that names its apps sees those); all of the account's when undefined. */
  readonly only: ReadonlyArray<AppId> | undefined
}

export class AppReads extends Context.Service<
  AppReads,
  {
    readonly app: (accountId: AccountId, appId: AppId) => Effect.Effect<App | undefined>
    readonly apps: (accountId: AccountId, filter: AppsFilter) => Effect.Effect<Page<App>>
    /** Whether anything of this scope is in the catalog: an app that existed before apps were resources. */
    readonly usedBefore: (scope: Scope) => Effect.Effect<boolean>
  }
>()("@onair/catalog/AppReads") {
  static readonly make = Effect.gen(function* () {
    const sql = yield* SqlClient
    const known = new Map<string, App>()
    const remember = (key: string, app: App) => {
      if (known.size >= KNOWN_APPS_LIMIT) known.delete(known.keys().next().value!)
      known.set(key, app)
    }
    return AppReads.of({
      app: (accountId, appId) => {
        const key = `${accountId}.${appId}`
        const cached = known.get(key)
        if (cached !== undefined) return Effect.succeed(cached)
        return Effect.orDie(
          Effect.map(sql<{ state: unknown }>`SELECT state FROM onair_apps WHERE id = ${key}`, (rows) => {
            if (rows[0] === undefined) return undefined
            const app = decodeApp(rows[0].state)
            remember(key, app)
            return app
          })
        )
      },
      apps: (accountId, filter) =>
        Effect.orDie(
          Effect.gen(function* () {
            const where = sql.and([
              sql`account_id = ${accountId}`,
              ...(filter.search === undefined ? [] : [sql`strpos(lower(name), lower(${filter.search})) > 0`]),
              ...(filter.only === undefined
                ? []
                : [filter.only.length === 0 ? sql`false` : sql`app_id IN ${sql.in(filter.only)}`])
            ])
            const order = filter.order === "ASC" ? sql.literal("ordinal ASC") : sql.literal("ordinal DESC")
            const rows = yield* sql<{ state: unknown; total: unknown }>`
            SELECT state, count(*) OVER () AS total FROM onair_apps WHERE ${where}
            ORDER BY ${order} LIMIT ${filter.perPage} OFFSET ${(filter.pageNo - 1) * filter.perPage}`
            const total =
              rows[0] !== undefined
                ? Number(rows[0].total)
                : Number(
                    (yield* sql<{ total: unknown }>`SELECT count(*) AS total FROM onair_apps WHERE ${where}`)[0]
                      ?.total ?? 0
                  )
            return { items: rows.map((row) => decodeApp(row.state)), total }
          })
        ),
      usedBefore: (scope) =>
        Effect.orDie(
          Effect.map(
            sql<{ used: boolean }>`
            SELECT EXISTS (SELECT 1 FROM onair_livestreams WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId})
              OR EXISTS (SELECT 1 FROM onair_meetings WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId})
              OR EXISTS (SELECT 1 FROM onair_webhook_endpoints WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId})
              OR EXISTS (SELECT 1 FROM onair_app_settings WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId})
              AS used`,
            (rows) => rows[0]?.used === true
          )
        )
    })
  })

  static readonly layer = Layer.effect(AppReads, AppReads.make)
}
