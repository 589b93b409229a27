/**
 * Webhook deliveries for `/metrics`: each attempt by its outcome (`delivered`, `retry` when it failed with
 * tries left, `failed` when it failed for good, `gone` when the receiver answered 410), and the time
 * receivers took to answer.
 */
import { Effect, Metric } from "effect"

export const attempts = Metric.counter("onair_webhook_deliveries_total", {
  description: "Webhook delivery attempts, by outcome.",
  incremental: true
})

export const latency = Metric.histogram("onair_webhook_delivery_duration_seconds", {
  description: "Time a receiver took to answer a delivery attempt (sent attempts only).",
  boundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
})

export type AttemptOutcome = "delivered" | "retry" | "failed" | "gone"

export const record = (outcome: AttemptOutcome, latencyMillis: number | undefined) =>
  Effect.andThen(
    Metric.update(Metric.withAttributes(attempts, { outcome }), 1),
    latencyMillis === undefined ? Effect.void : Metric.update(latency, latencyMillis / 1000)
  )
