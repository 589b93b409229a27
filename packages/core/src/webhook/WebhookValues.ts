/**
 * Value types of a webhook endpoint: where an app's events go, which of them, and the secrets that sign
 * them (Standard Webhooks: `whsec_` and the base64 key).
 */
import { Schema } from "effect"

/** `wh_` and 24 letters or digits. */
export const WebhookEndpointId = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^wh_[A-Za-z0-9]{24}$/)),
  Schema.brand("WebhookEndpointId")
)
export type WebhookEndpointId = typeof WebhookEndpointId.Type

/** An absolute http(s) URL: a host (name, IPv4 or [IPv6]), maybe a port, a path; no credentials, no spaces. */
const HTTP_URL = /^https?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?([/?#][^\s]*)?$/

/** An absolute http(s) URL without credentials, up to 2,048 characters. */
export const WebhookUrl = Schema.String.pipe(Schema.check(Schema.isMaxLength(2048), Schema.isPattern(HTTP_URL)))

/** A key of 24 to 64 bytes in base64 after `whsec_`, as Standard Webhooks spells secrets. */
export const SigningSecret = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/)),
  Schema.brand("SigningSecret")
)
export type SigningSecret = typeof SigningSecret.Type

/** An event type (`ingest.end.success`), a family (`ingest.*`), or everything (`*`). */
export const EventTypePattern = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^(\*|[a-z]+(\.[a-z_]+)*(\.\*)?)$/), Schema.isMaxLength(64))
)

export const EventTypeFilter = Schema.Array(EventTypePattern).pipe(
  Schema.check(Schema.isMinLength(1), Schema.isMaxLength(64))
)
export type EventTypeFilter = typeof EventTypeFilter.Type

/** Whether `type` passes the filter: exact names, `family.*` for a family, `*` for all. */
export const matchesEventType = (filter: ReadonlyArray<string>, type: string): boolean =>
  filter.some((pattern) =>
    pattern === "*" || pattern === type || (pattern.endsWith(".*") && type.startsWith(pattern.slice(0, -1)))
  )

/** An endpoint's settings as it is created (command and event alike). */
export const EndpointCreationFields = {
  url: WebhookUrl,
  enabled: Schema.Boolean,
  eventTypes: EventTypeFilter,
  secret: SigningSecret
}

/** Why an endpoint stopped receiving: its receiver answered 410 Gone. */
export const EndpointDisableReason = Schema.Literals(["gone"])
export type EndpointDisableReason = typeof EndpointDisableReason.Type
