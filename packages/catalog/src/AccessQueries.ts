/** API tokens (cached, and peeked at without a read on the lean path) and webhook endpoints in the catalog. */
import { type AccessToken, type AccessTokenId, accessTokenStream, type WebhookEndpoint } from "@onair/core"
import type { SqlClient } from "effect/sql/SqlClient"
import type * as CatalogCache from "./CatalogCache.ts"
import { all, one, type Scope } from "./CatalogQueries.ts"
import { decodeAccessToken } from "./CatalogStates.ts"

export const accessQueries = (
  sql: SqlClient,
  cache: CatalogCache.CatalogCache,
  decodeEndpoint: (state: unknown) => WebhookEndpoint
) => ({
  accessToken: (id: AccessTokenId) =>
    cache.through(
      `accessToken:${id}`,
      accessTokenStream(id),
      one(sql<{ state: unknown }>`SELECT state FROM onair_access_tokens WHERE id = ${id}`, decodeAccessToken)
    ),
  cachedAccessToken: (id: AccessTokenId) => cache.peek<AccessToken>(`accessToken:${id}`),
  webhookEndpoint: (scope: Scope, id: string) =>
    one(
      sql<{ state: unknown }>`
        SELECT state FROM onair_webhook_endpoints
        WHERE id = ${id} AND account_id = ${scope.accountId} AND app_id = ${scope.appId} AND NOT deleted`,
      decodeEndpoint
    ),
  webhookEndpoints: (scope: Scope) =>
    all(
      sql<{ state: unknown }>`
        SELECT state FROM onair_webhook_endpoints
        WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId} AND NOT deleted ORDER BY ordinal`,
      decodeEndpoint
    )
})
