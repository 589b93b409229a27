/**
 * Webhook endpoints and what happened to their messages, as the API asks for them: the webhook adapter
 * implements it (endpoints from the catalog's table, messages and attempts from its outbox's tables).
 */
import { type Effect, Context, Schema } from "effect"
import type { AccountId, AppId } from "../Ids.ts"
import type { WebhookEndpointError, WebhookEndpointNotFound } from "../webhook/WebhookEndpointError.ts"
import type { WebhookEndpoint } from "../webhook/WebhookEndpointState.ts"
import type { EventTypeFilter } from "../webhook/WebhookValues.ts"
import type { CommandConflict } from "./CommandConflict.ts"
import type { AggregateReadFailed } from "./AggregateReader.ts"
import type { EventStoreFailed } from "./EventStore.ts"

export class WebhookMessageNotFound extends Schema.TaggedError<WebhookMessageNotFound>()("WebhookMessageNotFound", {
  messageId: Schema.String
}) {}

export class WebhookStoreFailed extends Schema.TaggedError<WebhookStoreFailed>()("WebhookStoreFailed", {
  message: Schema.String
}) {}

/** The URL is not one OnAir may send to (not public, and not admitted by the operator): it says why. */
export class WebhookUrlRefused extends Schema.TaggedError<WebhookUrlRefused>()("WebhookUrlRefused", {
  message: Schema.String
}) {}

/** The account and app a request acts for. */
export interface WebhookScope {
  readonly accountId: AccountId
  readonly appId: AppId
}

export interface WebhookAttempt {
  readonly message_id: string
  readonly attempt: number
  readonly attempted_at: string
  readonly status: number | null
  readonly latency_ms: number
  readonly error: string | null
  readonly response_excerpt: string | null
  readonly position: string
}

export interface WebhookFeedPage {
  readonly events: ReadonlyArray<unknown>
  /** Pass as `after` for the next page; the same when there is nothing new. */
  readonly next_cursor: string
}

/** Why a change to an endpoint did not happen. */
export type WebhookCommandError = WebhookEndpointError | AggregateReadFailed | EventStoreFailed | CommandConflict

export interface WebhookEndpointSettings {
  readonly url: string
  readonly name: string
  readonly enabled: boolean
  readonly eventTypes: EventTypeFilter
}

export class WebhookEndpoints extends Context.Service<
  WebhookEndpoints,
  {
    readonly list: (scope: WebhookScope) => Effect.Effect<ReadonlyArray<WebhookEndpoint>>
    readonly get: (scope: WebhookScope, id: string) => Effect.Effect<WebhookEndpoint, WebhookEndpointNotFound>
    /** A new endpoint and its signing secret, shown this once. */
    readonly create: (
      scope: WebhookScope,
      settings: WebhookEndpointSettings,
      actor: string
    ) => Effect.Effect<
      { readonly endpoint: WebhookEndpoint; readonly secret: string },
      WebhookCommandError | WebhookUrlRefused
    >
    readonly update: (
      scope: WebhookScope,
      id: string,
      patch: { readonly [K in keyof WebhookEndpointSettings]: WebhookEndpointSettings[K] | null },
      actor: string
    ) => Effect.Effect<WebhookEndpoint, WebhookCommandError | WebhookUrlRefused>
    /** A new secret, shown once; the old one keeps signing for `overlapSeconds`. */
    readonly rotate: (
      scope: WebhookScope,
      id: string,
      overlapSeconds: number,
      actor: string
    ) => Effect.Effect<{ readonly endpoint: WebhookEndpoint; readonly secret: string }, WebhookCommandError>
    /** Deletes the endpoint; answers it as it was. */
    readonly remove: (
      scope: WebhookScope,
      id: string,
      actor: string
    ) => Effect.Effect<WebhookEndpoint, WebhookCommandError>
    readonly attempts: (
      scope: WebhookScope,
      id: string,
      page: { readonly after: number; readonly limit: number }
    ) => Effect.Effect<ReadonlyArray<WebhookAttempt>, WebhookEndpointNotFound | WebhookStoreFailed>
    /** Sends one message to the endpoint again, now. */
    readonly resend: (
      scope: WebhookScope,
      id: string,
      messageId: string
    ) => Effect.Effect<void, WebhookEndpointNotFound | WebhookMessageNotFound | WebhookStoreFailed>
    /** Sends again every message that failed for the endpoint since `since`; how many. */
    readonly recover: (
      scope: WebhookScope,
      id: string,
      since: Date
    ) => Effect.Effect<number, WebhookEndpointNotFound | WebhookStoreFailed>
    /** The app's events after the cursor, oldest first. */
    readonly feed: (
      scope: WebhookScope,
      page: { readonly after: number; readonly limit: number }
    ) => Effect.Effect<WebhookFeedPage, WebhookStoreFailed>
    /** The cursor of the app's newest event (0 when it has none): where a follower of what comes next starts. */
    readonly feedEnd: (scope: WebhookScope) => Effect.Effect<number, WebhookStoreFailed>
    /** Deliveries waiting to be sent (first tries and retries), over every app: the queue's depth. */
    readonly pendingDeliveries: Effect.Effect<number, WebhookStoreFailed>
  }
>()("@onair/core/WebhookEndpoints") {}
