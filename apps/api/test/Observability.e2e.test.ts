/**
 * What operators watch, against the main job as the README runs it: `/metrics` scraped and read by a
 * Prometheus text-format parser from npm (`parse-prometheus-text-format`), traces of a create and its
 * webhook collected by a local OTLP receiver, and JSON logs carrying the request and trace ids.
 */
import parsePrometheus from "parse-prometheus-text-format"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import {
  freePort,
  type MainJob,
  play,
  publish,
  startMainJob,
  startReceiver,
  type Receiver,
  waitFor
} from "@onair/test-support"
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./support/OtlpReceiver.ts"

const METRICS_TOKEN = "metrics-token-for-tests"

describe("metrics, traces and logs", { timeout: 120_000 }, () => {
  let job: MainJob
  let otlp: OtlpReceiver
  let hooks: Receiver

  beforeAll(async () => {
    ;[otlp, hooks] = await Promise.all([startOtlpReceiver(), startReceiver()])
    job = await startMainJob({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      ONAIR_METRICS_TOKEN: METRICS_TOKEN,
      ONAIR_LOG_FORMAT: "json",
      ONAIR_HTTP_LOG: "true"
    })
  })
  afterAll(async () => {
    await job?.stop()
    await otlp?.close()
    await hooks?.close()
  })

  const scrape = async (url = `${job.url}/metrics`, token: string | undefined = METRICS_TOKEN) => {
    const response = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
    assert.strictEqual(response.status, 200)
    assert.strictEqual(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8")
    const text = await response.text()
    return Object.assign(parsePrometheus(text), { text })
  }
  type Families = Awaited<ReturnType<typeof scrape>>
  const samples = (families: Families, name: string) => families.find((f) => f.name === name)?.metrics ?? []
  const value = (families: Families, name: string, labels: Record<string, string> = {}) =>
    samples(families, name)
      .filter((s) => Object.entries(labels).every(([key, v]) => s.labels?.[key] === v))
      .reduce((sum, s) => sum + Number(s.value ?? s.count ?? 0), 0)
  /**
   * A labelled histogram's count. The parser folds a histogram's series into one (it reads histograms
   * without labels), so the count of one series is read from its `_count` line.
   */
  const histogramCount = (families: Families, name: string, labels: Record<string, string>) =>
    families.text
      .split("\n")
      .filter(
        (line) =>
          line.startsWith(`${name}_count{`) &&
          Object.entries(labels).every(([key, v]) => line.includes(`${key}="${v}"`))
      )
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0)

  it("serves /metrics only with its token, in the Prometheus text format, with every family operators need", async () => {
    assert.strictEqual((await fetch(`${job.url}/metrics`)).status, 401)
    assert.strictEqual((await fetch(`${job.url}/metrics`, { headers: { authorization: "Bearer wrong" } })).status, 401)

    const endpoint = await job.api("POST", "/webhooks", { url: `${hooks.url}/hooks`, events: ["*"] })
    assert.strictEqual(endpoint.status, 201)
    const created = (await job.api("POST", "/livestreams", { name: "metered" })).body.data
    const encoder = publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/${created.stream_key}`)
    const refused = publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/not-a-key-of-anything`)
    try {
      await waitFor(
        "LIVE",
        async () =>
          (await job.api("GET", `/livestreams/${created.id}`)).body.data.livestream.status === "LIVE"
            ? true
            : undefined,
        30_000
      )
      await refused.exited
      // A player, for the viewers gauge.
      await waitFor("a playlist", async () => ((await fetch(created.playback_url)).ok ? true : undefined), 30_000)
      await play(created.playback_url, 4)
      const families = await waitFor(
        "bitrate and viewers",
        async () => {
          const scraped = await scrape()
          return value(scraped, "onair_ingest_video_bitrate_bits_per_second", { livestream_id: created.id }) > 0 &&
            value(scraped, "onair_hls_viewers") >= 1 &&
            value(scraped, "onair_webhook_deliveries_total", { outcome: "delivered" }) >= 1
            ? scraped
            : undefined
        },
        30_000
      )

      const types = Object.fromEntries(families.map((f) => [f.name, f.type]))
      assert.include(types, {
        onair_livestreams: "GAUGE",
        onair_sessions_open: "GAUGE",
        onair_publishes_total: "COUNTER",
        onair_ingest_video_bitrate_bits_per_second: "GAUGE",
        onair_hls_viewers: "GAUGE",
        onair_webhook_queue_depth: "GAUGE",
        onair_webhook_deliveries_total: "COUNTER",
        onair_webhook_delivery_duration_seconds: "HISTOGRAM",
        onair_event_store_append_duration_seconds: "HISTOGRAM",
        onair_projection_lag_seconds: "GAUGE",
        onair_http_requests_total: "COUNTER",
        onair_http_request_duration_seconds: "HISTOGRAM",
        process_resident_memory_bytes: "GAUGE",
        nodejs_eventloop_delay_seconds: "GAUGE"
      })
      assert.isAtLeast(value(families, "onair_livestreams", { status: "LIVE" }), 1)
      assert.isAtLeast(value(families, "onair_sessions_open"), 1)
      assert.isAtLeast(value(families, "onair_publishes_total", { outcome: "accepted" }), 1)
      assert.isAtLeast(value(families, "onair_publishes_total", { outcome: "refused", reason: "unknown key" }), 1)
      assert.isAtLeast(value(families, "onair_ingest_video_fps", { livestream_id: created.id }), 1)
      assert.isAtLeast(value(families, "onair_webhook_delivery_duration_seconds"), 1)
      assert.isAtLeast(histogramCount(families, "onair_event_store_append_duration_seconds", { outcome: "ok" }), 1)
      assert.isAtLeast(value(families, "onair_webhook_queue_depth"), 0)
      assert.strictEqual(
        samples(families, "onair_projection_lag_seconds")
          .map((s) => s.labels?.["consumer"])
          .sort()
          .join(),
        "catalog,webhook-outbox"
      )
      // Requests by the route's template, never the URL (no ids in labels), with their status.
      const route = "/accounts/:account_id/realtime/kit/:app_id/livestreams"
      assert.strictEqual(value(families, "onair_http_requests_total", { route, method: "POST", status: "201" }), 1)
      assert.isAtLeast(histogramCount(families, "onair_http_request_duration_seconds", { route, method: "POST" }), 1)
      assert.isNotEmpty(Object.keys(samples(families, "onair_http_request_duration_seconds")[0]?.buckets ?? {}))
      assert.isFalse(
        samples(families, "onair_http_requests_total").some((s) => (s.labels?.["route"] ?? "").includes(created.id))
      )
      assert.isAbove(value(families, "process_resident_memory_bytes"), 10_000_000)
      assert.isTrue(Object.values(samples(families, "onair_metrics_source_up")).every((s) => s.value === "1"))
    } finally {
      await encoder.stop()
    }
  })

  it("counts the clients following the event feed, and forgets one that went away", async () => {
    const controller = new AbortController()
    const response = await fetch(`${job.url}/accounts/${job.account}/realtime/kit/${job.app}/webhooks/events/stream`, {
      headers: { authorization: `Bearer ${job.token}` },
      signal: controller.signal
    })
    assert.strictEqual(response.status, 200)
    await waitFor("one follower", async () =>
      value(await scrape(), "onair_event_stream_followers") === 1 ? true : undefined
    )
    controller.abort()
    // Noticed when the connection closes, at the latest at the next keep-alive (15 s).
    await waitFor(
      "none",
      async () => (value(await scrape(), "onair_event_stream_followers") === 0 ? true : undefined),
      30_000
    )
  })

  it("exports one trace from the create request through the append to its webhook delivery, and one from a publish callback", async () => {
    const before = hooks.received.length
    const created = await job.api("POST", "/livestreams", { name: "traced" })
    assert.strictEqual(created.status, 201)
    await waitFor(
      "its webhook",
      async () =>
        hooks.received.slice(before).some((r) => JSON.parse(r.body).data?.livestream_id === created.body.data.id)
          ? true
          : undefined,
      20_000
    )

    const trace = await waitFor(
      "the create's trace with its delivery",
      async () => {
        const deliveries = otlp.spans.filter((s) => s.name === "webhook.deliver")
        for (const delivery of deliveries) {
          const spans = otlp.spans.filter((s) => s.traceId === delivery.traceId)
          const server = spans.find(
            (s) =>
              s.parentSpanId === undefined &&
              /POST/.test(s.name) &&
              String(s.attributes["url.path"] ?? s.attributes["http.url"] ?? "").endsWith("/livestreams")
          )
          if (server !== undefined) return { spans, delivery, server }
        }
        return undefined
      },
      30_000
    )
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]))
    const ancestors = (span: ReceivedSpan): Array<string> => {
      const names: Array<string> = []
      for (
        let at = span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId);
        at !== undefined;
        at = at.parentSpanId === undefined ? undefined : byId.get(at.parentSpanId)
      ) {
        names.push(at.name)
      }
      return names
    }
    const append = byId.get(trace.delivery.parentSpanId ?? "")
    assert.strictEqual(append?.name, "EventStore.append", "the delivery continues the append that caused it")
    const chain = ancestors(trace.delivery)
    assert.include(chain, trace.server.name, "…which the create request made")
    assert.isTrue(
      chain.some((name) => name.startsWith("CommandHandler")),
      `through the command path: ${chain.join(" < ")}`
    )
    assert.strictEqual(trace.delivery.service, "onair-api")

    // A media callback: the publish decision, through the command path, to its append.
    // A media callback: the publish decision, through the command path, to its append (the refused
    // publish of a name that is no key appends nothing). The callback's URL holds a secret: no request span.
    const published = await waitFor(
      "a publish callback's trace",
      async () => {
        for (const decision of otlp.spans.filter((s) => s.name === "NodeControl.publish")) {
          const spans = otlp.spans.filter((s) => s.traceId === decision.traceId)
          if (spans.some((s) => s.name === "EventStore.append")) return spans
        }
        return undefined
      },
      20_000
    )
    assert.include(
      published.map((s) => s.name),
      "CommandHandler.handle"
    )
    assert.strictEqual(published.find((s) => s.parentSpanId === undefined)?.name, "Publishing.publish")
    assert.isFalse(otlp.spans.some((s) => String(s.attributes["url.path"] ?? "").startsWith("/media/nginx")))
  })

  it("logs one JSON object per line, with the request id and the trace id", async () => {
    const response = await job.api("GET", "/livestreams")
    assert.strictEqual(response.status, 200)
    const lines = await waitFor("the request's log line", async () => {
      const parsed = job
        .log()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
      return parsed.some((line) => String(line["message"]).startsWith("GET /accounts/")) ? parsed : undefined
    })
    const request = lines.find((line) => String(line["message"]).startsWith("GET /accounts/"))!
    assert.match(String(request["request_id"]), /^[0-9a-f-]{36}$/)
    assert.match(String(request["trace_id"]), /^[0-9a-f]{32}$/)
    assert.strictEqual(request["level"], "INFO")
    assert.match(String(request["time"]), /^\d{4}-\d\d-\d\dT/)
    // Nothing but JSON on stdout and stderr once the job runs.
    const other = job
      .log()
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("{"))
    assert.deepStrictEqual(
      other.filter((line) => !/^(setup|media):/.test(line)),
      []
    )
  })
})

describe("metrics on a listener of their own", { timeout: 120_000 }, () => {
  let job: MainJob
  let port: number

  beforeAll(async () => {
    port = await freePort()
    // No metrics token: on a listener of their own the metrics need none.
    job = await startMainJob({
      ONAIR_METRICS_ADDRESS: `127.0.0.1:${port}`,
      ONAIR_METRICS_TOKEN: "",
      ONAIR_MEDIA: "off"
    })
  })
  afterAll(async () => {
    await job?.stop()
  })

  it("answers there without a token, and not on the API's port", async () => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`)
    assert.strictEqual(response.status, 200)
    assert.isAbove(parsePrometheus(await response.text()).length, 10)
    const onApi = await fetch(`${job.url}/metrics`)
    assert.strictEqual(onApi.status, 404)
    assert.match(await onApi.text(), /ONAIR_METRICS_ADDRESS/)
    assert.strictEqual((await fetch(`http://127.0.0.1:${port}/livestreams`)).status, 404)
  })
})
