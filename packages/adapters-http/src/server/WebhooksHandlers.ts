/**
 * Webhook endpoints and their deliveries, through the core's `WebhookEndpoints` port (the webhook adapter
 * implements it).
 */
import { defaultEndpointName, type WebhookEndpoint, WebhookEndpoints, type WebhookUrlRefused } from "@onair/core"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { type BadRequest, badRequest, type NotFound, notFound, OnAirApi } from "@onair/http-api"
import { feedResponse } from "./EventFeedStream.ts"
import { authorize, settle, timeParam } from "./Requests.ts"

const DEFAULT_OVERLAP_SECONDS = 86_400
const DEFAULT_PAGE = 100

const iso = (at: number) => new Date(at).toISOString()

export const endpointRecord = (endpoint: WebhookEndpoint) => ({
  id: endpoint.id,
  name: endpoint.name === "" ? defaultEndpointName(endpoint.url) : endpoint.name,
  url: endpoint.url,
  enabled: endpoint.enabled,
  disabled_reason: endpoint.disabledReason,
  events: [...endpoint.eventTypes],
  created_at: iso(endpoint.createdAt),
  updated_at: iso(endpoint.updatedAt)
})

/** The webhook refusals every endpoint answers the same way. */
const refuse = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  settle(
    Effect.catch(effect, (error): Effect.Effect<never, E | NotFound | BadRequest> => {
      switch (error._tag) {
        case "WebhookEndpointNotFound":
          return Effect.fail(notFound("webhook endpoint"))
        case "WebhookMessageNotFound":
          return Effect.fail(notFound("webhook message"))
        case "WebhookUrlRefused":
          return Effect.fail(badRequest("invalid_body", `url: ${(error as unknown as WebhookUrlRefused).message}`))
        default:
          return Effect.fail(error)
      }
    })
  )

export const WebhooksHandlers = HttpApiBuilder.group(
  OnAirApi,
  "webhooks",
  Effect.fn(function* (handlers) {
    const webhooks = yield* WebhookEndpoints
    return handlers
      .handle("createWebhook", ({ params, payload }) =>
        Effect.gen(function* () {
          const { token, scope } = yield* authorize(params)
          const { endpoint, secret } = yield* refuse(
            webhooks.create(
              scope,
              {
                url: payload.url,
                name: payload.name ?? defaultEndpointName(payload.url),
                enabled: payload.enabled ?? true,
                eventTypes: payload.events ?? ["*"]
              },
              token.id
            )
          )
          return { success: true as const, data: { ...endpointRecord(endpoint), secret } }
        })
      )
      .handle("getWebhooks", ({ params }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          return { success: true as const, data: (yield* webhooks.list(scope)).map(endpointRecord) }
        })
      )
      .handle("getWebhookEvents", ({ params, query }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          const page = yield* refuse(
            webhooks.feed(scope, { after: query.after ?? 0, limit: query.limit ?? DEFAULT_PAGE })
          )
          return { success: true as const, data: page }
        })
      )
      .handle("streamWebhookEvents", ({ params, query, headers }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          // Where the client left off, where it asks to start, or else from now on.
          const after =
            headers["last-event-id"] !== undefined
              ? Number(headers["last-event-id"])
              : (query.after ?? (yield* refuse(webhooks.feedEnd(scope))))
          return feedResponse(webhooks, scope, after)
        })
      )
      .handle("getWebhook", ({ params }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          return {
            success: true as const,
            data: endpointRecord(yield* refuse(webhooks.get(scope, params.endpoint_id)))
          }
        })
      )
      .handle("updateWebhook", ({ params, payload }) =>
        Effect.gen(function* () {
          const { token, scope } = yield* authorize(params)
          if (
            payload.url === undefined &&
            payload.name === undefined &&
            payload.enabled === undefined &&
            payload.events === undefined
          ) {
            return yield* badRequest("invalid_body", "url, name, enabled or events: give at least one")
          }
          const endpoint = yield* refuse(
            webhooks.update(
              scope,
              params.endpoint_id,
              {
                url: payload.url ?? null,
                name: payload.name ?? null,
                enabled: payload.enabled ?? null,
                eventTypes: payload.events ?? null
              },
              token.id
            )
          )
          return { success: true as const, data: endpointRecord(endpoint) }
        })
      )
      .handle("replaceWebhook", ({ params, payload }) =>
        Effect.gen(function* () {
          const { token, scope } = yield* authorize(params)
          const endpoint = yield* refuse(
            webhooks.update(
              scope,
              params.endpoint_id,
              {
                url: payload.url,
                name: payload.name,
                enabled: payload.enabled ?? true,
                eventTypes: payload.events
              },
              token.id
            )
          )
          return { success: true as const, data: endpointRecord(endpoint) }
        })
      )
      .handle("deleteWebhook", ({ params }) =>
        Effect.gen(function* () {
          const { token, scope } = yield* authorize(params)
          const endpoint = yield* refuse(webhooks.remove(scope, params.endpoint_id, token.id))
          return { success: true as const, data: { ...endpointRecord(endpoint), message: "webhook endpoint deleted" } }
        })
      )
      .handle("rotateWebhookSecret", ({ params, payload }) =>
        Effect.gen(function* () {
          const { token, scope } = yield* authorize(params)
          const overlap = payload.overlap_seconds ?? DEFAULT_OVERLAP_SECONDS
          const { endpoint, secret } = yield* refuse(webhooks.rotate(scope, params.endpoint_id, overlap, token.id))
          return { success: true as const, data: { ...endpointRecord(endpoint), secret } }
        })
      )
      .handle("getWebhookAttempts", ({ params, query }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          const attempts = yield* refuse(
            webhooks.attempts(scope, params.endpoint_id, {
              after: query.after ?? 0,
              limit: query.limit ?? DEFAULT_PAGE
            })
          )
          return { success: true as const, data: attempts }
        })
      )
      .handle("resendWebhookMessage", ({ params }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          yield* refuse(webhooks.resend(scope, params.endpoint_id, params.message_id))
          return { success: true as const, data: { message: "message queued for delivery" } }
        })
      )
      .handle("recoverWebhookMessages", ({ params, payload }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          const since = yield* timeParam("since", payload.since)
          const requeued = yield* refuse(webhooks.recover(scope, params.endpoint_id, new Date(since ?? 0)))
          return { success: true as const, data: { message: "failed messages queued for delivery", requeued } }
        })
      )
  })
)
