/**
 * The store's appends for `/metrics`: how long each took, from the call to its commit (retries of a racing
 * append included), by outcome: `ok`, `conflict` (a stream's expected version did not hold) or `failed`.
 */
import { Effect, Exit, Metric, Option } from "effect"

export const appendLatency = Metric.histogram("onair_event_store_append_duration_seconds", {
  description: "Time to append and commit events to the log, by outcome.",
  boundaries: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
})

/** `append`, measured. */
export const measured = <A, E, R>(append: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const started = performance.now()
    return Effect.onExit(append, (exit) => {
      const outcome = Exit.isSuccess(exit)
        ? "ok"
        : Option.exists(
              Exit.findErrorOption(exit),
              (error) => (error as { readonly _tag?: unknown })._tag === "WrongExpectedVersion"
            )
          ? "conflict"
          : "failed"
      return Metric.update(Metric.withAttributes(appendLatency, { outcome }), (performance.now() - started) / 1000)
    })
  })
