/**
 * Webhook endpoints as their own streams (`webhookEndpoint-<id>`) tell them, for the delivery loop: each
 * attempt signs with the endpoint's secrets as of now, read from its stream (the events after the version
 * this process last folded; none, mostly), so a worker needs no read model and never signs with a secret
 * that was rotated away, nor posts to a URL that was changed. At most `CAPACITY` endpoints are kept
 * folded; the least recently used goes first.
 */
import {
  type AggregateReadFailed,
  EventStore,
  Timestamp,
  type WebhookEndpoint,
  type WebhookEndpointCommand,
  WebhookEndpointDecider,
  type WebhookEndpointError,
  WebhookEndpointEvent,
  type WebhookEndpointId,
  type WebhookEndpointState,
  WEBHOOK_ENDPOINT_CATEGORY,
  webhookEndpointStream,
  originMetadata
} from "@onair/core"
import { AggregateCommand } from "@onair/application"
import { Clock, Context, Effect, Layer } from "effect"

export const ENDPOINT_STREAM_PREFIX = `${WEBHOOK_ENDPOINT_CATEGORY}-`

const CAPACITY = 1_000

export const endpoints: AggregateCommand.Aggregate<
  WebhookEndpointCommand,
  WebhookEndpointEvent,
  WebhookEndpointState,
  WebhookEndpointError
> = {
  decider: WebhookEndpointDecider,
  events: WebhookEndpointEvent,
  stream: (command) => webhookEndpointStream(command.endpointId)
}

export class WebhookEndpointStreams extends Context.Service<
  WebhookEndpointStreams,
  {
    /** The endpoint as of its stream now (deleted ones included); undefined when there is none. */
    readonly current: (id: string) => Effect.Effect<WebhookEndpoint | undefined, AggregateReadFailed>
    /** The receiver answered 410: the endpoint is turned off until its owner turns it on again. */
    readonly disable: (id: string) => Effect.Effect<void, WebhookEndpointError | AggregateCommand.AggregateCommandError>
  }
>()("@onair/adapters-webhook/WebhookEndpointStreams") {
  static readonly make = Effect.gen(function* () {
    const store = yield* EventStore
    const folded = new Map<string, AggregateCommand.Folded<WebhookEndpointState>>()

    const current = Effect.fn("WebhookEndpointStreams.current")(function* (id: string) {
      const known = folded.get(id)
      const loaded = yield* AggregateCommand.load(endpoints, webhookEndpointStream(id), known).pipe(
        Effect.provideService(EventStore, store)
      )
      folded.delete(id)
      if (loaded.state !== null) {
        folded.set(id, loaded)
        if (folded.size > CAPACITY) folded.delete(folded.keys().next().value!)
      }
      return loaded.state ?? undefined
    })

    const disable = Effect.fn("WebhookEndpointStreams.disable")(function* (id: string) {
      const at = Timestamp.make(yield* Clock.currentTimeMillis)
      yield* AggregateCommand.handle(
        endpoints,
        { _tag: "DisableWebhookEndpoint", endpointId: id as WebhookEndpointId, at, reason: "gone" },
        originMetadata(`webhooks:${crypto.randomUUID()}`, "system:webhooks", at)
      ).pipe(Effect.provideService(EventStore, store))
    })

    return WebhookEndpointStreams.of({ current, disable })
  })

  static readonly layer = Layer.effect(WebhookEndpointStreams, WebhookEndpointStreams.make)
}
