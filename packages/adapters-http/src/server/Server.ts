/**
 * The HTTP server: the API's routes with their handlers, `/openapi.json` and `/docs`, the request guard
 * (request ids, body limit, string rules, the error envelope on every failure), on Node's http server at
 * `PORT` (default 8787) and `HOST`.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Effect, Layer, Schema } from "effect"
import { HttpRouter } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { createServer } from "node:http"
import { OnAirApi } from "@onair/http-api"
import { AdminLive } from "./AdminHandlers.ts"
import { AnalyticsHandlers } from "./AnalyticsHandlers.ts"
import { AuthorizationLive } from "./AuthorizationLive.ts"
import { LivestreamsHandlers } from "./LivestreamsHandlers.ts"
import { MeetingsHandlers } from "./MeetingsHandlers.ts"
import { RecordingsHandlers } from "./RecordingsHandlers.ts"
import { AppSettingsHandlers } from "./AppSettingsHandlers.ts"
import { AppsHandlers } from "./AppsHandlers.ts"
import { RestreamsHandlers } from "./RestreamsHandlers.ts"
import { SrtHandlers } from "./SrtHandlers.ts"
import { SrtSettings } from "./SrtSettings.ts"
import { WebhooksHandlers } from "./WebhooksHandlers.ts"
import * as InboundWebhooks from "./InboundWebhooks.ts"
import { BroadcastLimitsConfig, PublicUrlsConfig } from "@onair/application"
import * as DashboardPage from "./DashboardPage.ts"
import * as DocsPage from "./DocsPage.ts"
import * as Health from "./Health.ts"
import * as HttpMetrics from "./HttpMetrics.ts"
import * as Metrics from "./Metrics.ts"
import * as FastReads from "./FastReads.ts"
import { ListAnswers } from "./ListAnswers.ts"
import { LivestreamUrls } from "./LivestreamUrls.ts"
import * as RequestGuard from "./RequestGuard.ts"

/** Every route, needing the command path, the catalog and the token index. */
export const routes = HttpApiBuilder.layer(OnAirApi, { openapiPath: "/openapi.json" }).pipe(
  Layer.provide([
    LivestreamsHandlers,
    RecordingsHandlers,
    AppsHandlers,
    AppSettingsHandlers,
    RestreamsHandlers,
    SrtHandlers,
    AnalyticsHandlers,
    MeetingsHandlers,
    WebhooksHandlers,
    AdminLive
  ]),
  Layer.provide(AuthorizationLive),
  Layer.provide(FastReads.layer),
  Layer.provide(ListAnswers.layer),
  Layer.provide(LivestreamUrls.layer),
  Layer.provide(SrtSettings.layer),
  Layer.provide([PublicUrlsConfig.layer, BroadcastLimitsConfig.layer]),
  Layer.merge(RequestGuard.layer),
  Layer.merge(DocsPage.layer),
  Layer.merge(DashboardPage.layer),
  Layer.merge(Health.layer),
  Layer.merge(Metrics.layer),
  Layer.merge(InboundWebhooks.layer),
  Layer.provide(HttpMetrics.routeNamer)
)

export const DEFAULT_PORT = 8787

/**
 * Node's http server, answering what it cannot parse (oversized headers, say) in the envelope, and every
 * request that arrives before the routes are served. Node accepts connections once the port is bound,
 * while the routes are still being built (the docs' renderer, the dashboard's files): a request with no
 * handler yet would wait for ever, so it is answered 503 with `Retry-After` instead.
 */
export const createNodeServer = () => {
  const server = createServer()
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable) socket.end(RequestGuard.clientErrorResponse(error.code))
    else socket.destroy()
  })
  server.on("request", (_request, response) => {
    // The routes' own handler is the second listener once it is there.
    if (server.listenerCount("request") > 1) return
    response.writeHead(503, { "content-type": "application/json", "retry-after": "1", connection: "close" })
    response.end(JSON.stringify(RequestGuard.envelopeFor(503, "the server is starting; retry in a moment")))
  })
  return server
}

/**
 * The server on `PORT`/`HOST` from the environment (each request logged by the guard when
 * `ONAIR_HTTP_LOG` is true, without query strings); it also provides `HttpServer` (its address). `extra`
 * adds routes beside the API's (HLS playback).
 */
export const layer = <E = never, R = never>(extra?: Layer.Layer<never, E, R>) =>
  Layer.unwrap(
    Effect.gen(function* () {
      // 0 asks the system for a free port (tests); Config.Port would refuse it.
      const port = yield* Config.schema(
        Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 65_535 }))),
        "PORT"
      ).pipe(Config.withDefault(DEFAULT_PORT))
      const host = yield* Config.String("HOST").pipe(Config.withDefault("0.0.0.0"))
      return HttpRouter.serve(
        extra === undefined ? routes : Layer.merge(routes, Layer.provide(extra, HttpMetrics.routeNamer)),
        { disableLogger: true }
      ).pipe(Layer.provideMerge(NodeHttpServer.layer(createNodeServer, { port, host })))
    })
  )
