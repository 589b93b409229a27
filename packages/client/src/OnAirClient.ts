/**
 * The typed client of the OnAir API, generated from the same definition the server implements: every
 * endpoint as a method, requests encoded and responses decoded by the API's schemas, failures as the
 * envelope's typed errors (BadRequest, Unauthorized, NotFound, Conflict).
 *
 *   const client = yield* OnAirClient
 *   const created = yield* client.livestreams.createIndependentLivestream({
 *     params: { account_id, app_id }, payload: { name: "launch" }, headers: {}
 *   })
 */
import { AdminAuthorization, Authorization, OnAirApi } from "@onair/http-api"
import { Context, Effect, Layer } from "effect"
import { FetchHttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient, HttpApiMiddleware } from "effect/http-api"

export interface OnAirClientOptions {
  /** Where OnAir answers, e.g. `http://localhost:8787`. */
  readonly baseUrl: string
  /** An API token (`onair_tok_…`). */
  readonly token: string
  /** The admin token, for the admin endpoints only. */
  readonly adminToken?: string
}

export class OnAirClient extends Context.Service<OnAirClient, HttpApiClient.ForApi<typeof OnAirApi>>()(
  "@onair/client/OnAirClient"
) {
  /** A client over `fetch`. */
  static readonly layer = (options: OnAirClientOptions) =>
    Layer.effect(OnAirClient, HttpApiClient.make(OnAirApi, { baseUrl: options.baseUrl })).pipe(
      Layer.provide(
        HttpApiMiddleware.layerClient(Authorization, ({ next, request }) =>
          next(HttpClientRequest.bearerToken(request, options.token))
        )
      ),
      Layer.provide(
        HttpApiMiddleware.layerClient(AdminAuthorization, ({ next, request }) =>
          next(HttpClientRequest.bearerToken(request, options.adminToken ?? ""))
        )
      ),
      Layer.provide(FetchHttpClient.layer)
    )
}

/** One call with a client made for it, for scripts that make a single request. */
export const withClient = <A, E>(
  options: OnAirClientOptions,
  use: (client: OnAirClient["Service"]) => Effect.Effect<A, E>
) => Effect.flatMap(Effect.service(OnAirClient), use).pipe(Effect.provide(OnAirClient.layer(options)))
