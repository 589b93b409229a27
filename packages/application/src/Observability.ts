/**
 * What every OnAir process reports about itself, as the operator configures it:
 *
 * - traces over OTLP/HTTP (JSON) to `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT`
 *   followed by `/v1/traces` (the OpenTelemetry variables), named `OTEL_SERVICE_NAME` or the process's own
 *   name. With an endpoint, appends record their span in the log (`TraceParents`), so a webhook delivery
 *   continues the trace of the request that caused it. Without one, no trace is exported and nothing is
 *   added to the log;
 * - logs as one JSON object per line (`ONAIR_LOG_FORMAT=json`): time, level, message, the request id and
 *   every other annotation, and the trace and span ids of the span the log was written in.
 *
 * Request spans name their URL and headers: tokens, cookies and signed links' signatures are redacted
 * (`REDACTED_HEADERS`, `REDACTED_QUERY`), and the media callbacks, whose path holds a secret, have none.
 * The exporter's endpoint is the operator's, not a user's: it is not sent through the guarded client.
 */
import { TraceParents } from "@onair/event-store"
import { Config, Context, Effect, Layer, Logger, Option, Tracer } from "effect"
import { FetchHttpClient, Headers, UrlParams } from "effect/http"
import { OtlpSerialization, OtlpTracer } from "effect/observability"

export const LogFormat = Config.Literals(["text", "json"], "ONAIR_LOG_FORMAT").pipe(Config.withDefault("text" as const))

/** Where traces go, from the OpenTelemetry variables; none when neither is set. */
export const tracesEndpoint = Effect.gen(function* () {
  const traces = yield* Config.option(Config.String("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
  if (Option.isSome(traces) && traces.value !== "") return Option.some(traces.value)
  const base = yield* Config.option(Config.String("OTEL_EXPORTER_OTLP_ENDPOINT"))
  return Option.isSome(base) && base.value !== ""
    ? Option.some(`${base.value.replace(/\/+$/, "")}/v1/traces`)
    : Option.none()
})

/** One JSON line per log, with the trace and span of where it was written. */
export const jsonLogger = Logger.withConsoleLog(
  Logger.make((options) => {
    const structured = Logger.formatStructured.log(options)
    const span = Context.getOption(options.fiber.context, Tracer.ParentSpan)
    return JSON.stringify({
      time: structured.timestamp,
      level: structured.level,
      message: structured.message,
      ...structured.annotations,
      ...(Option.isSome(span) ? { trace_id: span.value.traceId, span_id: span.value.spanId } : {}),
      ...(structured.cause === undefined ? {} : { cause: structured.cause })
    })
  })
)

export const REDACTED_HEADERS = [
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "proxy-authorization",
  "webhook-signature"
]
export const REDACTED_QUERY = [
  "signature",
  "Signature",
  "sig",
  "token",
  "key",
  "X-Amz-Signature",
  "X-Amz-Credential",
  "X-Amz-Security-Token",
  "AWSAccessKeyId",
  "X-Goog-Signature"
]

/** The process's traces and log format; `serviceName` unless `OTEL_SERVICE_NAME` says otherwise. */
export const layer = (serviceName: string) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const format = yield* LogFormat
      const endpoint = yield* tracesEndpoint
      const name = yield* Config.String("OTEL_SERVICE_NAME").pipe(Config.withDefault(serviceName))
      const logging = format === "json" ? Logger.layer([jsonLogger]) : Layer.empty
      const tracing = Option.match(endpoint, {
        onNone: () => Layer.empty,
        onSome: (url) =>
          Layer.mergeAll(
            OtlpTracer.layer({ url, resource: { serviceName: name, serviceVersion: "0.1.0" } }),
            Layer.succeed(TraceParents.RecordTraceParents, true),
            Layer.succeed(Headers.CurrentRedactedNames, REDACTED_HEADERS),
            Layer.succeed(UrlParams.CurrentRedactedNames, REDACTED_QUERY)
          ).pipe(Layer.provide(OtlpSerialization.layerJson), Layer.provide(FetchHttpClient.layer))
      })
      return Layer.merge(logging, tracing)
    })
  )
