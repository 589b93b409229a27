/**
 * `GET /metrics` in the Prometheus text format: what this process counted (HTTP requests by route, appends,
 * publishes, webhook deliveries, event-feed followers) and gauges sampled at the scrape (livestreams by status, open
 * sessions, each connected publisher's bitrate and frame rate, HLS viewers per media node, the webhook
 * queue's depth, each consumer's lag behind the log, the process's memory and event-loop delay).
 *
 * Protected as the operator configures: `ONAIR_METRICS_TOKEN` makes it answer only requests bearing that
 * token; `ONAIR_METRICS_ADDRESS` (`host:port`) serves it on a listener of its own (`listener`), and not
 * on the API's port. With neither, it is off: the API's port answers 404 saying how to turn it on.
 */
import { sameSecret } from "@onair/secrets"
import { NodeHttpServer } from "@effect/platform-node"
import { OperationalReads } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import { EventStore, LivestreamStatus, WebhookEndpoints } from "@onair/core"
import { Config, Context, Data, Effect, Exit, Layer, Option, Redacted } from "effect"
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "effect/http"
import { PrometheusMetrics } from "effect/observability"
import { createServer } from "node:http"
import * as EventFeedStream from "./EventFeedStream.ts"
import { CATALOG } from "./Health.ts"
import * as HttpMetrics from "./HttpMetrics.ts"
import * as ProcessSamples from "./ProcessSamples.ts"
import { lagSeconds } from "./ProjectionLag.ts"
import { family, type Sample } from "./PrometheusText.ts"

/** The consumers whose lag is reported: the catalog every read answers from, and the webhook outbox. */
const CONSUMERS = [CATALOG, "webhook-outbox"] as const

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

/** `ONAIR_METRICS_ADDRESS` is not a `host:port`. */
export class MetricsAddressInvalid extends Data.TaggedError("MetricsAddressInvalid")<{ readonly given: string }> {
  override get message() {
    return `ONAIR_METRICS_ADDRESS: host:port, such as 127.0.0.1:9464 (got ${this.given})`
  }
}

/** `host:port` (an IPv6 host in brackets), or undefined. */
const parseAddress = (given: string) => {
  const match = /^(.+):(\d{1,5})$/.exec(given)
  const port = Number(match?.[2])
  return match === null || port > 65_535 ? undefined : { host: match[1]!.replace(/^\[(.*)\]$/, "$1"), port }
}

export class MetricsAccess extends Context.Service<
  MetricsAccess,
  {
    readonly token: Option.Option<Redacted.Redacted>
    /** The listener of its own, when configured. */
    readonly address: Option.Option<{ readonly host: string; readonly port: number }>
  }
>()("@onair/adapters-http/MetricsAccess") {
  static readonly fromEnv = Layer.effect(
    MetricsAccess,
    Effect.gen(function* () {
      const token = yield* Config.option(Config.Redacted("ONAIR_METRICS_TOKEN"))
      const address = yield* Config.option(Config.String("ONAIR_METRICS_ADDRESS"))
      const parsed = Option.map(address, parseAddress)
      if (Option.isSome(address) && Option.isSome(parsed) && parsed.value === undefined) {
        return yield* new MetricsAddressInvalid({ given: address.value })
      }
      return {
        token: Option.filter(token, (value) => Redacted.value(value) !== ""),
        address: Option.flatMap(parsed, Option.fromUndefinedOr)
      }
    })
  )
  static readonly off = Layer.succeed(MetricsAccess)({ token: Option.none(), address: Option.none() })
  static readonly withToken = (token: string) =>
    Layer.succeed(MetricsAccess)({ token: Option.some(Redacted.make(token)), address: Option.none() })
}

/** The sampled gauges and Effect's metrics, as one scrape's text. */
const scraper = Effect.gen(function* () {
  const operational = yield* OperationalReads
  const nodes = yield* MediaNodeRegistry
  const webhooks = yield* WebhookEndpoints
  const store = yield* EventStore
  const processSamples = yield* ProcessSamples.make

  /** A source's families, or none when it fails or dies (its `up` sample says so): the scrape goes on. */
  const source = (name: string, sampled: Effect.Effect<string, unknown>) =>
    Effect.map(Effect.exit(sampled), (exit) => ({
      name,
      up: Exit.isSuccess(exit),
      text: Exit.isSuccess(exit) ? exit.value : ""
    }))

  const catalog = Effect.map(
    Effect.all([operational.livestreamsByStatus, operational.connectedPublishers]),
    ([byStatus, publishers]) => {
      const perPublisher = (pick: (p: (typeof publishers)[number]) => number): ReadonlyArray<Sample> =>
        publishers.map((p) => ({ labels: { livestream_id: p.livestreamId, session_id: p.sessionId }, value: pick(p) }))
      return [
        family(
          "onair_livestreams",
          "gauge",
          "Livestreams (deleted ones excepted), by status.",
          LivestreamStatus.literals.map((status) => ({ labels: { status }, value: byStatus.get(status) ?? 0 }))
        ),
        family(
          "onair_sessions_open",
          "gauge",
          "Sessions open now (a publisher connected, or inside its reconnect window).",
          [{ value: byStatus.get("LIVE") ?? 0 }]
        ),
        family("onair_ingest_publishers", "gauge", "Publishers connected now.", [{ value: publishers.length }]),
        family(
          "onair_ingest_video_bitrate_bits_per_second",
          "gauge",
          "Each connected publisher's video bitrate, as last sampled.",
          perPublisher((p) => p.videoBitrate)
        ),
        family(
          "onair_ingest_audio_bitrate_bits_per_second",
          "gauge",
          "Each connected publisher's audio bitrate, as last sampled.",
          perPublisher((p) => p.audioBitrate)
        ),
        family(
          "onair_ingest_video_fps",
          "gauge",
          "Each connected publisher's frame rate, as last sampled.",
          perPublisher((p) => p.videoFps)
        )
      ].join("")
    }
  )
  const media = Effect.map(nodes.nodes, (entries) =>
    [
      family(
        "onair_media_nodes",
        "gauge",
        "Media nodes, by status.",
        [...Map.groupBy(entries, (entry) => entry.status)].map(([status, list]) => ({
          labels: { status },
          value: list.length
        }))
      ),
      family(
        "onair_hls_viewers",
        "gauge",
        "Players that fetched HLS in the last 30 s, by media node.",
        entries.map((entry) => ({ labels: { node: entry.node.id }, value: entry.load?.viewers ?? 0 }))
      )
    ].join("")
  )
  const queue = Effect.map(webhooks.pendingDeliveries, (pending) =>
    family("onair_webhook_queue_depth", "gauge", "Webhook deliveries waiting to be sent (first tries and retries).", [
      { value: pending }
    ])
  )
  const lag = Effect.map(
    Effect.forEach(CONSUMERS, (consumer) =>
      Effect.map(lagSeconds(consumer), (seconds) => ({ labels: { consumer }, value: seconds }))
    ),
    (samples) =>
      family(
        "onair_projection_lag_seconds",
        "gauge",
        "Age of the oldest event a consumer of the log has not taken in (0: none).",
        samples
      )
  ).pipe(Effect.provideService(EventStore, store))

  return Effect.gen(function* () {
    const sources = yield* Effect.all(
      [
        source("catalog", catalog),
        source("media_nodes", media),
        source("webhook_queue", queue),
        source("projection_lag", lag)
      ],
      { concurrency: "unbounded" }
    )
    const effectMetrics = yield* PrometheusMetrics.format()
    return [
      ...sources.map((s) => s.text),
      family(
        "onair_metrics_source_up",
        "gauge",
        "Whether a sampled source answered this scrape (1) or failed (0).",
        sources.map((s) => ({ labels: { source: s.name }, value: s.up ? 1 : 0 }))
      ),
      yield* processSamples,
      HttpMetrics.format(),
      family(
        "onair_event_stream_followers",
        "gauge",
        "Clients following the event feed (server-sent events) on this process.",
        [{ value: EventFeedStream.followers() }]
      ),
      effectMetrics.endsWith("\n") || effectMetrics === "" ? effectMetrics : `${effectMetrics}\n`
    ].join("")
  })
})

/** The `/metrics` answer for `request`, given the configured access. */
const answer = (access: MetricsAccess["Service"], scrape: Effect.Effect<string>, onItsOwnListener: boolean) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (!onItsOwnListener && Option.isNone(access.token)) {
      const where = Option.isSome(access.address)
        ? "on ONAIR_METRICS_ADDRESS"
        : "off: set ONAIR_METRICS_TOKEN or ONAIR_METRICS_ADDRESS"
      return HttpServerResponse.jsonUnsafe(
        { success: false, errors: [{ code: "not_found", message: `metrics are ${where}` }] },
        { status: 404 }
      )
    }
    if (Option.isSome(access.token)) {
      const given = request.headers["authorization"] ?? ""
      const ok = given.startsWith("Bearer ") && sameSecret(given.slice(7), Redacted.value(access.token.value))
      if (!ok) {
        return HttpServerResponse.jsonUnsafe(
          {
            success: false,
            errors: [{ code: "unauthorized", message: "metrics need the metrics token (Authorization: Bearer …)" }]
          },
          { status: 401, headers: { "www-authenticate": "Bearer" } }
        )
      }
    }
    return HttpServerResponse.text(yield* scrape, {
      contentType: CONTENT_TYPE,
      headers: { "cache-control": "no-store" }
    })
  })

/** `/metrics` on the API's port (the sampling, its event-loop monitor included, only when it serves them). */
export const layer = Layer.unwrap(
  Effect.gen(function* () {
    const access = yield* MetricsAccess
    const scrape = Option.isSome(access.token) ? yield* scraper : Effect.succeed("")
    return HttpRouter.add("GET", "/metrics", answer(access, scrape, false))
  })
)

/**
 * `/metrics` on `ONAIR_METRICS_ADDRESS`, alone on its listener (anything else is a 404); nothing when none
 * is configured. A plain app, not a router: routers are one per process.
 */
export const listener = Layer.unwrap(
  Effect.gen(function* () {
    const access = yield* MetricsAccess
    if (Option.isNone(access.address)) return Layer.empty
    const scrape = yield* scraper
    const { host, port } = access.address.value
    yield* Effect.logInfo(`metrics: /metrics on ${host}:${port}`)
    const metrics = answer(access, scrape, true)
    const app = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
      request.method === "GET" && new URL(request.url, "http://metrics").pathname === "/metrics"
        ? metrics
        : Effect.succeed(
            HttpServerResponse.jsonUnsafe(
              { success: false, errors: [{ code: "not_found", message: "only /metrics is here" }] },
              { status: 404 }
            )
          )
    )
    return HttpServer.serve(app).pipe(Layer.provide(NodeHttpServer.layer(createServer, { port, host })))
  })
)
