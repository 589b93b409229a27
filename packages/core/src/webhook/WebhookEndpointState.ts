/**
 * A webhook endpoint's state, folded from its events. `null` until it is created.
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import {
  EndpointDisableReason,
  EventTypeFilter,
  LoggedEndpointName,
  SigningSecret,
  WebhookEndpointId,
  WebhookUrl
} from "./WebhookValues.ts"

/** A secret and until when it signs (null: until it is rotated away). */
export const EndpointSecret = Schema.Struct({ secret: SigningSecret, validUntil: Schema.NullOr(Timestamp) })
export type EndpointSecret = typeof EndpointSecret.Type

export const WebhookEndpoint = Schema.Struct({
  id: WebhookEndpointId,
  accountId: AccountId,
  appId: AppId,
  url: WebhookUrl,
  /** Its owner's name for it; `""` for endpoints made before names (shown as the URL's host). */
  name: LoggedEndpointName,
  /** Off by its owner, or by a 410 (then `disabledReason` says so until it is turned on again). */
  enabled: Schema.Boolean,
  disabledReason: Schema.NullOr(EndpointDisableReason),
  eventTypes: EventTypeFilter,
  /** Newest first. */
  secrets: Schema.Array(EndpointSecret),
  deleted: Schema.Boolean,
  createdAt: Timestamp,
  updatedAt: Timestamp
})
export type WebhookEndpoint = typeof WebhookEndpoint.Type

export const WebhookEndpointState = Schema.NullOr(WebhookEndpoint)
export type WebhookEndpointState = typeof WebhookEndpointState.Type

/** The secrets that sign a message sent at `at`: the current one and any still inside its overlap. */
export const signingSecrets = (endpoint: WebhookEndpoint, at: number): ReadonlyArray<SigningSecret> =>
  endpoint.secrets.filter((s) => s.validUntil === null || s.validUntil > at).map((s) => s.secret)

/** Receives deliveries: not deleted and on. */
export const isReceiving = (endpoint: WebhookEndpoint): boolean => !endpoint.deleted && endpoint.enabled
