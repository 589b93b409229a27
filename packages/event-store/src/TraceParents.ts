/**
 * Traces that cross the log. When traces are exported (`RecordTraceParents` on), an append records the
 * appending span as a W3C `traceparent` in its events' metadata, so work the events set off later (a
 * webhook delivery, in another process maybe) continues the same trace. Off, nothing is added to the log.
 */
import { Context, Effect, Option, Tracer } from "effect"

export const RecordTraceParents = Context.Reference<boolean>("@onair/event-store/RecordTraceParents", {
  defaultValue: () => false
})

const TRACE_PARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** The current span as a `traceparent`, when traces are exported and there is one. */
export const current: Effect.Effect<string | undefined> = Effect.flatMap(Effect.service(RecordTraceParents), (on) =>
  on
    ? Effect.map(Effect.option(Effect.currentSpan), (span) =>
        Option.match(span, {
          onNone: () => undefined,
          onSome: (s) => `00-${s.traceId}-${s.spanId}-${s.sampled ? "01" : "00"}`
        })
      )
    : Effect.succeed(undefined)
)

/** The span a `traceparent` names, to continue its trace; undefined for anything else. */
export const parse = (traceParent: string | null | undefined): Tracer.ExternalSpan | undefined => {
  const match = traceParent == null ? null : TRACE_PARENT.exec(traceParent)
  return match === null
    ? undefined
    : Tracer.externalSpan({
        traceId: match[1]!,
        spanId: match[2]!,
        sampled: (Number.parseInt(match[3]!, 16) & 1) === 1
      })
}
