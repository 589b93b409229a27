/**
 * Requests by route and status, with their latency, for `/metrics`. The route is the matched path's
 * template (`/accounts/:account_id/…/livestreams/:livestream_id`), never the URL, so the label set is
 * bounded by the API's routes; requests no route matched count as `unmatched`. The request guard (global)
 * measures and records each request; a route-level middleware names the route it matched into the
 * guard's holder.
 */
import { Context, Effect, Metric } from "effect"
import { HttpRouter } from "effect/http"

/** Seconds: 1 ms to 10 s. */
const LATENCY_BOUNDARIES = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export const requests = Metric.counter("onair_http_requests_total", {
  description: "HTTP requests answered, by route template, method and status.",
  incremental: true
})

export const latency = Metric.histogram("onair_http_request_duration_seconds", {
  description: "Time to answer an HTTP request, by route template and method.",
  boundaries: LATENCY_BOUNDARIES
})

/** The request's matched route, set by the route middleware, read by the guard when it answers. */
export const MatchedRoute = Context.Reference<{ route: string } | null>("@onair/adapters-http/MatchedRoute", {
  defaultValue: () => null
})

export const UNMATCHED = "unmatched"

/** Records one answered request. */
export const record = (method: string, route: string, status: number, seconds: number) =>
  Effect.andThen(
    Metric.update(Metric.withAttributes(requests, { route, method, status: String(status) }), 1),
    Metric.update(Metric.withAttributes(latency, { route, method }), seconds)
  )

/** Names the matched route for the guard's record. */
export const routeNamer = HttpRouter.middleware((httpEffect) =>
  Effect.flatMap(Effect.service(HttpRouter.RouteContext), (context) =>
    Effect.flatMap(Effect.service(MatchedRoute), (holder) => {
      if (holder !== null) holder.route = context.route.path
      return httpEffect
    }))).layer
