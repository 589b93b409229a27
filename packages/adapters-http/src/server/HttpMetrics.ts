/**
 * Requests by route and status, with their latency, for `/metrics`. The route is the matched path's
 * template (`/accounts/:account_id/…/livestreams/:livestream_id`), never the URL, so the series are bounded
 * by the API's routes; requests no route matched count as `unmatched`. The request guard (global) measures
 * and records each request; a route-level middleware names the route it matched into the guard's holder.
 *
 * Counted in plain maps, not Effect metrics: this runs on every request, the hottest reads included, and
 * a registry lookup with attributes per request cost a quarter of their throughput.
 */
import { Context, Effect } from "effect"
import { HttpRouter } from "effect/http"
import { family, header, labelText } from "./PrometheusText.ts"

/** Seconds: 1 ms to 10 s. */
const LATENCY_BOUNDARIES = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const

interface Latency {
  readonly buckets: Array<number>
  sum: number
  count: number
}

const requests = new Map<
  string,
  { readonly route: string; readonly method: string; readonly status: string; count: number }
>()
const latencies = new Map<string, { readonly route: string; readonly method: string; readonly latency: Latency }>()

/** The request's matched route, set by the route middleware, read by the guard when it answers. */
export const MatchedRoute = Context.Reference<{ route: string } | null>("@onair/adapters-http/MatchedRoute", {
  defaultValue: () => null
})

export const UNMATCHED = "unmatched"

/** Records one answered request. */
export const record = (method: string, route: string, status: number, seconds: number): void => {
  const key = `${method} ${route} ${status}`
  const counted = requests.get(key)
  if (counted === undefined) requests.set(key, { route, method, status: String(status), count: 1 })
  else counted.count++
  const timedKey = `${method} ${route}`
  let timed = latencies.get(timedKey)
  if (timed === undefined) {
    timed = { route, method, latency: { buckets: LATENCY_BOUNDARIES.map(() => 0), sum: 0, count: 0 } }
    latencies.set(timedKey, timed)
  }
  const latency = timed.latency
  for (let i = 0; i < LATENCY_BOUNDARIES.length; i++) if (seconds <= LATENCY_BOUNDARIES[i]!) latency.buckets[i]!++
  latency.sum += seconds
  latency.count++
}

/** The two families in the Prometheus text format. */
export const format = (): string => {
  const counts = family(
    "onair_http_requests_total",
    "counter",
    "HTTP requests answered, by route template, method and status.",
    [...requests.values()].map((r) => ({
      labels: { route: r.route, method: r.method, status: r.status },
      value: r.count
    }))
  )
  const name = "onair_http_request_duration_seconds"
  const histogram = [header(name, "histogram", "Time to answer an HTTP request, by route template and method.")]
  for (const { route, method, latency } of latencies.values()) {
    const bucket = (le: string, count: number) => `${name}_bucket${labelText({ route, method, le })} ${count}\n`
    for (const [i, boundary] of LATENCY_BOUNDARIES.entries())
      histogram.push(bucket(String(boundary), latency.buckets[i]!))
    histogram.push(bucket("+Inf", latency.count))
    histogram.push(`${name}_sum${labelText({ route, method })} ${latency.sum}\n`)
    histogram.push(`${name}_count${labelText({ route, method })} ${latency.count}\n`)
  }
  return counts + histogram.join("")
}

/** Names the matched route for the guard's record. */
export const routeNamer = HttpRouter.middleware((httpEffect) =>
  Effect.flatMap(Effect.service(HttpRouter.RouteContext), (context) =>
    Effect.flatMap(Effect.service(MatchedRoute), (holder) => {
      if (holder !== null) holder.route = context.route.path
      return httpEffect
    })
  )
).layer
