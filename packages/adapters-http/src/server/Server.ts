/**
 * The HTTP server: the API's routes with their handlers, `/openapi.json`, the error envelope for bad
 * input, on Node's http server at `PORT` (default 8787) and `HOST`.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { createServer } from "node:http"
import { OnAirApi } from "../api/OnAirApi.ts"
import { AdminLive } from "./AdminHandlers.ts"
import { AuthorizationLive } from "./AuthorizationLive.ts"
import { LivestreamsHandlers } from "./LivestreamsHandlers.ts"
import { PublicUrlsConfig } from "./Requests.ts"
import * as SchemaErrors from "./SchemaErrors.ts"

/** Every route, needing the command path, the catalog and the token index. */
export const routes = HttpApiBuilder.layer(OnAirApi, { openapiPath: "/openapi.json" }).pipe(
  Layer.provide([LivestreamsHandlers, AdminLive]),
  Layer.provide(AuthorizationLive),
  Layer.provide(PublicUrlsConfig.layer),
  Layer.merge(SchemaErrors.layer)
)

export const DEFAULT_PORT = 8787

/** The server on `PORT`/`HOST` from the environment. */
export const layer = HttpRouter.serve(routes).pipe(
  Layer.provide(Layer.unwrap(Effect.gen(function*() {
    const port = yield* Config.Port("PORT").pipe(Config.withDefault(DEFAULT_PORT))
    const host = yield* Config.String("HOST").pipe(Config.withDefault("0.0.0.0"))
    return NodeHttpServer.layer(createServer, { port, host })
  })))
)
