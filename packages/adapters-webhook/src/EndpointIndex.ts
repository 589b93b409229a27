/**
 * Webhook endpoints by id, folded from their streams (`webhookEndpoint-<id>`): the one fold the outbox (at
 * each point of the log) and the `Webhooks` service (as of now) both keep.
 */
import { type StoredEvent, type WebhookEndpoint, WebhookEndpointDecider, WebhookEndpointEvent } from "@onair/core"
import { Result, Schema } from "effect"

export const ENDPOINT_STREAM_PREFIX = "webhookEndpoint-"

const decode = Schema.decodeUnknownResult(WebhookEndpointEvent)

/** Folds `stored` into `index` when it is an endpoint event; false for any other stream. */
export const foldEndpointEvent = (index: Map<string, WebhookEndpoint>, stored: StoredEvent): boolean => {
  if (!stored.stream.startsWith(ENDPOINT_STREAM_PREFIX)) return false
  const event = decode(stored.data)
  if (Result.isSuccess(event)) {
    const next = WebhookEndpointDecider.evolve(index.get(event.success.endpointId) ?? null, event.success)
    if (next !== null) index.set(next.id, next)
  }
  return true
}
