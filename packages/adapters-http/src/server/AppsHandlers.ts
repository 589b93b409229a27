/**
 * An account's apps: listed as the caller's token sees them, created by a token for the whole account.
 */
import { AppReads } from "@onair/catalog"
import { type App, originMetadata, toIso } from "@onair/core"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Caller, forbidden, notFound, OnAirApi } from "@onair/http-api"
import { DEFAULT_PER_PAGE, pagingOf } from "./LivestreamsHandlers.ts"
import { KnownApps } from "./KnownApps.ts"
import { now } from "./Requests.ts"

export const appRecord = (app: App) => ({ id: app.id, name: app.name, created_at: toIso(app.createdAt) })

export const AppsHandlers = HttpApiBuilder.group(
  OnAirApi,
  "apps",
  Effect.fn(function* (handlers) {
    const reads = yield* AppReads
    const apps = yield* KnownApps
    return handlers
      .handle("getApps", ({ params, query }) =>
        Effect.gen(function* () {
          const token = yield* Caller
          if (token.accountId !== params.account_id) return yield* notFound(`account ${params.account_id}`)
          const pageNo = query.page_no ?? 1
          const perPage = query.per_page ?? DEFAULT_PER_PAGE
          const page = yield* reads.apps(params.account_id, {
            pageNo,
            perPage,
            search: query.search,
            order: query.sort_order ?? "DESC",
            only: token.appIds.length === 0 ? undefined : token.appIds
          })
          return { success: true as const, data: page.items.map(appRecord), paging: pagingOf(page, pageNo, perPage) }
        })
      )
      .handle("createApp", ({ params, payload }) =>
        Effect.gen(function* () {
          const token = yield* Caller
          if (token.accountId !== params.account_id) return yield* notFound(`account ${params.account_id}`)
          if (token.appIds.length > 0) {
            return yield* forbidden("this token names its apps; creating apps takes a token for the whole account")
          }
          const at = yield* now
          const created = yield* apps
            .create(
              params.account_id,
              payload.name,
              undefined,
              originMetadata(`apps:${crypto.randomUUID()}`, `token:${token.id}`, at)
            )
            .pipe(
              // A new UUID is never taken.
              Effect.orDie
            )
          return { success: true as const, data: { app: appRecord(created) } }
        })
      )
  })
)
