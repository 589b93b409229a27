/**
 * Value types of a webhook endpoint: where an app's events go, which of them, and the secrets that sign
 * them (Standard Webhooks: `whsec_` and the base64 key).
 */
import { Effect, Schema } from "effect"

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

/**
 * The event names of RealtimeKit's webhooks (as today's `cloudflare` SDK sends them) and the types of
 * OnAir's catalogue each stands for (ADR 0015). Chat and summaries are not OnAir's: an endpoint may name
 * them, and receives nothing for them.
 */
export const REALTIMEKIT_EVENT_ALIASES: { readonly [name: string]: ReadonlyArray<string> } = {
  "livestreaming.statusUpdate": ["livestream.status.changed"],
  "recording.statusUpdate": ["recording.success", "recording.failed"],
  "meeting.started": ["session.open.success"],
  "meeting.ended": ["session.close.success"],
  "meeting.participantJoined": ["peer.join.success"],
  "meeting.participantLeft": ["peer.leave.success"],
  "meeting.transcript": ["transcription.success"],
  "meeting.chatSynced": [],
  "meeting.summary": []
}

/**
 * An event type (`ingest.end.success`), a family (`ingest.*`), everything (`*`), or a RealtimeKit name
 * (`livestreaming.statusUpdate`: camel case after the first dot) that stands for some of OnAir's types.
 */
export const EventTypePattern = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^(\*|[a-z]+(\.[A-Za-z_]+)*(\.\*)?)$/),
    Schema.isMaxLength(64),
    Schema.makeFilter(
      (name: string) =>
        !/[A-Z]/.test(name) ||
        Object.hasOwn(REALTIMEKIT_EVENT_ALIASES, name) ||
        `a RealtimeKit event name (${Object.keys(REALTIMEKIT_EVENT_ALIASES).join(", ")}) or one of OnAir's`
    )
  )
)

export const EventTypeFilter = Schema.Array(EventTypePattern).pipe(
  Schema.check(Schema.isMinLength(1), Schema.isMaxLength(64))
)
export type EventTypeFilter = typeof EventTypeFilter.Type

const matchesPattern = (pattern: string, type: string) =>
  pattern === "*" || pattern === type || (pattern.endsWith(".*") && type.startsWith(pattern.slice(0, -1)))

/**
 * The name an endpoint with this filter receives an event of `type` under: the type itself when the filter
 * names it (exactly, by family or with `*`), else the first RealtimeKit name in the filter that stands for
 * it; undefined when the endpoint does not take it.
 */
export const deliveredType = (filter: ReadonlyArray<string>, type: string): string | undefined => {
  if (filter.some((pattern) => matchesPattern(pattern, type))) return type
  return filter.find((pattern) => REALTIMEKIT_EVENT_ALIASES[pattern]?.includes(type) === true)
}

/** Whether an endpoint with this filter takes an event of `type`, by OnAir's name or a RealtimeKit one. */
export const matchesEventType = (filter: ReadonlyArray<string>, type: string): boolean =>
  deliveredType(filter, type) !== undefined

/** A webhook endpoint's name: 1 to 255 characters, not only spaces. */
export const WebhookName = Schema.String.pipe(
  Schema.check(Schema.isMinLength(1), Schema.isMaxLength(255), Schema.isPattern(/\S/))
)

/** The name of an endpoint created without one (and of endpoints made before names): its URL's host. */
export const defaultEndpointName = (url: string): string => HTTP_URL.exec(url)?.[1] ?? url

/** A name in the log, where endpoints made before names have none (`""`: the URL's host is shown). */
export const LoggedEndpointName = Schema.String.pipe(Schema.withDecodingDefaultKey(Effect.succeed("")))

/** An endpoint's settings as it is created (command and event alike). */
export const EndpointCreationFields = {
  url: WebhookUrl,
  name: LoggedEndpointName,
  enabled: Schema.Boolean,
  eventTypes: EventTypeFilter,
  secret: SigningSecret
}

/** Why an endpoint stopped receiving: its receiver answered 410 Gone. */
export const EndpointDisableReason = Schema.Literals(["gone"])
export type EndpointDisableReason = typeof EndpointDisableReason.Type
