/**
 * Webhook endpoints per app, in the API's envelope style and RealtimeKit's resource shape (`name`,
 * `enabled`, `events` with RealtimeKit's names or OnAir's, `PUT` to replace, `PATCH` to edit): create (the
 * signing secret shown once), list, get, update, replace, delete, rotate the secret with an overlap, the delivery attempts, resend one message,
 * recover every failed message since a time, and the event feed itself (`GET …/webhooks/events?after=`), also
 * as server-sent events (`GET …/webhooks/events/stream`), which the dashboard's live status listens to.
 */
import {
  EventTypeFilter,
  REALTIMEKIT_EVENT_ALIASES,
  WEBHOOK_EVENT_TYPES,
  WebhookEndpointId,
  WebhookName,
  WebhookUrl
} from "@onair/core"
import { Schema } from "effect"
import { Sse } from "effect/encoding"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { BadRequest, NotFound, Ok } from "./Envelope.ts"
import { BASE, ScopeParams } from "./Scope.ts"
import { Authorization } from "./Security.ts"

const EndpointParams = { ...ScopeParams, endpoint_id: WebhookEndpointId }

export const WebhookEndpointRecord = Schema.Struct({
  id: Schema.String,
  /** Its owner's name for it; the URL's host unless one was given. */
  name: Schema.String,
  url: Schema.String,
  enabled: Schema.Boolean,
  /** `gone` when the receiver answered 410 and the endpoint was turned off; null otherwise. */
  disabled_reason: Schema.NullOr(Schema.String),
  events: Schema.Array(Schema.String),
  created_at: Schema.String,
  updated_at: Schema.String
})

/** The answer to create and rotate: the endpoint and its new secret, shown this once. */
export const WebhookEndpointWithSecret = Schema.Struct({ ...WebhookEndpointRecord.fields, secret: Schema.String })

/** Whether a pattern names something OnAir sends: a type of the catalogue, a family of them, `*`, or an alias. */
const isKnownPattern = (pattern: string) =>
  pattern === "*" ||
  Object.hasOwn(REALTIMEKIT_EVENT_ALIASES, pattern) ||
  (pattern.endsWith(".*")
    ? WEBHOOK_EVENT_TYPES.some((type) => type.startsWith(pattern.slice(0, -1)))
    : WEBHOOK_EVENT_TYPES.some((type) => type === pattern))

/**
 * The events an endpoint asks for: each a type of the catalogue, a family (`ingest.*`), `*`, or a
 * RealtimeKit name; anything else is a 400 naming `events` (a typo would otherwise receive nothing).
 */
export const SubscribedEvents = EventTypeFilter.pipe(
  Schema.check(
    Schema.makeFilter((patterns: ReadonlyArray<string>) => {
      const unknown = patterns.filter((pattern) => !isKnownPattern(pattern))
      return unknown.length === 0 || `not an event OnAir sends: ${unknown.join(", ")}`
    })
  )
)

export const CreateWebhookBody = Schema.Struct({
  url: WebhookUrl,
  /** The URL's host when absent. */
  name: Schema.optional(WebhookName),
  enabled: Schema.optional(Schema.Boolean),
  /**
   * Exact types and wildcards (`ingest.*`, `*`), or RealtimeKit's names (`livestreaming.statusUpdate`,
   * `meeting.started`, ...: delivered under that name); all of OnAir's types when absent.
   */
  events: Schema.optional(SubscribedEvents)
})

export const UpdateWebhookBody = Schema.Struct({
  url: Schema.optional(WebhookUrl),
  name: Schema.optional(WebhookName),
  enabled: Schema.optional(Schema.Boolean),
  events: Schema.optional(SubscribedEvents)
})

/** `PUT`: the endpoint's settings whole, as RealtimeKit replaces a webhook (`enabled` is on when absent). */
export const ReplaceWebhookBody = Schema.Struct({
  url: WebhookUrl,
  name: WebhookName,
  events: SubscribedEvents,
  enabled: Schema.optional(Schema.Boolean)
})

export const RotateSecretBody = Schema.Struct({
  /** How long the old secret keeps signing beside the new one; 24 h unless given (0: not at all). */
  overlap_seconds: Schema.optional(
    Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 30 * 86_400 })))
  )
})

export const RecoverBody = Schema.Struct({ since: Schema.String })

export const AttemptRecord = Schema.Struct({
  message_id: Schema.String,
  attempt: Schema.Int,
  attempted_at: Schema.String,
  status: Schema.NullOr(Schema.Int),
  latency_ms: Schema.Int,
  error: Schema.NullOr(Schema.String),
  response_excerpt: Schema.NullOr(Schema.String),
  position: Schema.String
})

const Cursor = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))
const Limit = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1000 })))

export class WebhooksApi extends HttpApiGroup.make("webhooks")
  .add(
    HttpApiEndpoint.post("createWebhook", `${BASE}/webhooks`, {
      params: ScopeParams,
      payload: CreateWebhookBody,
      success: Ok(WebhookEndpointWithSecret).pipe(HttpApiSchema.status(201)),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.get("getWebhooks", `${BASE}/webhooks`, {
      params: ScopeParams,
      success: Ok(Schema.Array(WebhookEndpointRecord)),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.get("getWebhookEvents", `${BASE}/webhooks/events`, {
      params: ScopeParams,
      query: { after: Schema.optional(Cursor), limit: Schema.optional(Limit) },
      success: Ok(Schema.Struct({ events: Schema.Array(Schema.Unknown), next_cursor: Schema.String })),
      error: [BadRequest, NotFound]
    }),
    /**
     * The feed as server-sent events: each event's `event` is its type and `data` the message as sent; the
     * last event of each batch carries the feed's cursor as its `id`, so a client that reconnects with
     * `Last-Event-ID` (or `after`) goes on from there. A `keep-alive` event comes when nothing else has.
     */
    HttpApiEndpoint.get("streamWebhookEvents", `${BASE}/webhooks/events/stream`, {
      params: ScopeParams,
      query: { after: Schema.optional(Cursor) },
      headers: { "last-event-id": Schema.optional(Schema.String.pipe(Schema.check(Schema.isPattern(/^\d{1,19}$/)))) },
      success: HttpApiSchema.StreamSse({ events: Sse.EventEncoded }),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.get("getWebhook", `${BASE}/webhooks/:endpoint_id`, {
      params: EndpointParams,
      success: Ok(WebhookEndpointRecord),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.patch("updateWebhook", `${BASE}/webhooks/:endpoint_id`, {
      params: EndpointParams,
      payload: UpdateWebhookBody,
      success: Ok(WebhookEndpointRecord),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.put("replaceWebhook", `${BASE}/webhooks/:endpoint_id`, {
      params: EndpointParams,
      payload: ReplaceWebhookBody,
      success: Ok(WebhookEndpointRecord),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.delete("deleteWebhook", `${BASE}/webhooks/:endpoint_id`, {
      params: EndpointParams,
      /** The endpoint as it was (RealtimeKit's answer), and a message. */
      success: Ok(Schema.Struct({ ...WebhookEndpointRecord.fields, message: Schema.String })),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.post("rotateWebhookSecret", `${BASE}/webhooks/:endpoint_id/rotate-secret`, {
      params: EndpointParams,
      payload: RotateSecretBody,
      success: Ok(WebhookEndpointWithSecret),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.get("getWebhookAttempts", `${BASE}/webhooks/:endpoint_id/attempts`, {
      params: EndpointParams,
      query: { after: Schema.optional(Cursor), limit: Schema.optional(Limit) },
      success: Ok(Schema.Array(AttemptRecord)),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.post("resendWebhookMessage", `${BASE}/webhooks/:endpoint_id/messages/:message_id/resend`, {
      params: { ...EndpointParams, message_id: Schema.String.pipe(Schema.check(Schema.isUUID())) },
      success: Ok(Schema.Struct({ message: Schema.String })),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.post("recoverWebhookMessages", `${BASE}/webhooks/:endpoint_id/recover`, {
      params: EndpointParams,
      payload: RecoverBody,
      success: Ok(Schema.Struct({ message: Schema.String, requeued: Schema.Int })),
      error: [BadRequest, NotFound]
    })
  )
  .middleware(Authorization)
  .annotateMerge(
    OpenApi.annotations({ title: "Webhooks", description: "Signed webhooks of the app's events (seed 004)" })
  ) {}
