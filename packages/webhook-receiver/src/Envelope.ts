/**
 * A delivery's body: the envelope of the webhook seed (004), decoded into a typed event. `type` is one of
 * the seed's 32 types, OnAir's own `livestream.status.changed`, or the RealtimeKit name an endpoint
 * subscribed by (ADR 0015); `data` is typed from the seed's table of that type's fields
 * (`SEED_WEBHOOK_TABLE`, generated from the seed): each field the seed lists, with the seed's type, or
 * null where the sender cannot know it; extensions beside them.
 *
 * Any event shaped as the seed's samples decodes: any `version` (the seed's `recording.*` samples say
 * "1.0"), `app_id`, `template_id` and OnAir's `sequence` optional. A field the seed lists that holds a
 * value of another type than the seed's (or its sample's) is refused, naming it.
 */
import {
  REALTIMEKIT_EVENT_ALIASES,
  type SEED_WEBHOOK_TABLE,
  SEED_WEBHOOK_TYPES,
  type SeedWebhookType,
  seedTypeProblem,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType
} from "@onair/core"
import { Result, Schema } from "effect"

/** The RealtimeKit names an endpoint may subscribe by (and then receives in `type`). */
export type RealtimeKitEventName =
  | "livestreaming.statusUpdate"
  | "recording.statusUpdate"
  | "meeting.started"
  | "meeting.ended"
  | "meeting.participantJoined"
  | "meeting.participantLeft"
  | "meeting.transcript"
  | "meeting.chatSynced"
  | "meeting.summary"

const REALTIMEKIT_NAMES = Object.keys(REALTIMEKIT_EVENT_ALIASES) as ReadonlyArray<RealtimeKitEventName>

const TYPES = [...new Set<string>([...SEED_WEBHOOK_TYPES, ...WEBHOOK_EVENT_TYPES, ...REALTIMEKIT_NAMES])]

export type DeliveredType = SeedWebhookType | WebhookEventType | RealtimeKitEventName
export const DeliveredType = Schema.Literals(TYPES as ReadonlyArray<DeliveredType>)

/** A field's value by the seed's name for its type. */
type ValueOf<T> = T extends "int"
  ? number
  : T extends "bool"
    ? boolean
    : T extends "array"
      ? ReadonlyArray<unknown>
      : T extends "dict"
        ? { readonly [key: string]: unknown }
        : string

type FieldOf<T extends SeedWebhookType> = (typeof SEED_WEBHOOK_TABLE)[T]["fields"][number]

/**
 * A seed type's `data`: every field of its table (present in OnAir's events, maybe absent in another
 * sender's), null where the sender cannot know it; extensions beside them.
 */
export type SeedEventData<T extends SeedWebhookType> = {
  readonly [F in FieldOf<T> as F["name"]]?:
    | (F extends { readonly sampleType: infer S } ? ValueOf<S> | ValueOf<F["type"]> : ValueOf<F["type"]>)
    | null
} & { readonly [extension: string]: unknown }

/** `livestream.status.changed`: OnAir's own type (docs/webhooks.md). */
export interface LivestreamStatusChangedData {
  readonly [field: string]: unknown
  readonly livestream_id?: string
  readonly status?: string
  readonly previous_status?: string | null
  readonly session_id?: string | null
  readonly changed_at?: string
}

/** The `data` of an event of this type. */
export type EventData<T extends DeliveredType> = T extends SeedWebhookType
  ? SeedEventData<T>
  : T extends "livestream.status.changed"
    ? LivestreamStatusChangedData
    : { readonly [field: string]: unknown }

export const WebhookEnvelope = Schema.Struct({
  /** "2.0", or "1.0" for the SFU recording events (as the seed's samples give them). */
  version: Schema.String,
  /** The message's id: the same as the `webhook-id` header, and the same on every retry. */
  id: Schema.String,
  account_id: Schema.String,
  app_id: Schema.optionalKey(Schema.String),
  /** The room's template (OnAir: the app), null when none. */
  template_id: Schema.optionalKey(Schema.NullOr(Schema.String)),
  /** When it happened, ISO-8601 to the second. */
  timestamp: Schema.String,
  type: DeliveredType,
  /** OnAir's: its place among the events of its subject (a livestream or a meeting): 1, 2, 3 … */
  sequence: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1)))),
  data: Schema.Record(Schema.String, Schema.Unknown)
})
export type WebhookEnvelope = typeof WebhookEnvelope.Type

/** One event, its `data` typed by its `type`. */
export type WebhookEvent<T extends DeliveredType = DeliveredType> = Omit<WebhookEnvelope, "type" | "data"> & {
  readonly type: T
  readonly data: EventData<T>
}

/** Any event, a union discriminated by `type`: a `switch` on it narrows `data`. */
export type AnyWebhookEvent = { readonly [T in DeliveredType]: WebhookEvent<T> }[DeliveredType]

/** Whether an event is of this type (narrows it). */
export const isEventOf = <T extends DeliveredType>(
  event: AnyWebhookEvent,
  type: T
): event is WebhookEvent<T> & AnyWebhookEvent => event.type === type

/**
 * What an event's `sequence` counts: its livestream (`data.livestream_id`) or its meeting (`data.room_id`,
 * the seed's name for it).
 */
export const subjectOf = (event: {
  readonly app_id?: string
  readonly data: { readonly [key: string]: unknown }
}): string => {
  const livestream = event.data["livestream_id"]
  if (typeof livestream === "string") return `livestream:${livestream}`
  const room = event.data["room_id"]
  return typeof room === "string" ? `meeting:${room}` : `app:${event.app_id ?? ""}`
}

const decodeEnvelope = Schema.decodeUnknownResult(Schema.fromJsonString(WebhookEnvelope))

/** The body decoded into a typed event, or why it is not one (not JSON, or a field missing or of another type). */
export const decodeEvent = (body: string): Result.Result<AnyWebhookEvent, string> => {
  const decoded = decodeEnvelope(body)
  if (Result.isFailure(decoded)) return Result.fail(String(decoded.failure))
  const event = decoded.success
  for (const [field, value] of Object.entries(event.data)) {
    const problem = seedTypeProblem(event.type, field, value)
    if (problem !== undefined) return Result.fail(`data.${problem}`)
  }
  return Result.succeed(event as AnyWebhookEvent)
}
