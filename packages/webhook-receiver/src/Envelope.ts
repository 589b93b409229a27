/**
 * A delivery's body: the envelope of the webhook seed (004) with OnAir's per-subject `sequence`, decoded
 * into a typed event. `type` is one of the catalogue's types (seed 004's and `livestream.status.changed`),
 * or the RealtimeKit name an endpoint subscribed by (ADR 0015); `data` is that event's fields as the seed
 * documents them.
 */
import { REALTIMEKIT_EVENT_ALIASES, WEBHOOK_EVENT_TYPES, type WebhookEventType } from "@onair/core"
import { Schema } from "effect"

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

export const DeliveredType = Schema.Literals([...WEBHOOK_EVENT_TYPES, ...REALTIMEKIT_NAMES])
export type DeliveredType = WebhookEventType | RealtimeKitEventName

export const WebhookEnvelope = Schema.Struct({
  version: Schema.Literal("2.0"),
  /** The message's id: the same as the `webhook-id` header, and the same on every retry. */
  id: Schema.String,
  account_id: Schema.String,
  app_id: Schema.String,
  /** When it happened, ISO-8601 to the second. */
  timestamp: Schema.String,
  type: DeliveredType,
  /** Its place among the events of its subject (a livestream or a meeting): 1, 2, 3 … */
  sequence: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1))),
  data: Schema.Record(Schema.String, Schema.Unknown)
})
export type WebhookEnvelope = typeof WebhookEnvelope.Type

/** One event, typed by its `type`. */
export type WebhookEvent<T extends DeliveredType = DeliveredType> = WebhookEnvelope & { readonly type: T }

/** Whether an event is of this type (narrows it). */
export const isEventOf = <T extends DeliveredType>(event: WebhookEnvelope, type: T): event is WebhookEvent<T> =>
  event.type === type

/**
 * What an event's `sequence` counts: its livestream (`data.livestream_id`) or its meeting (`data.room_id`,
 * the seed's name for it).
 */
export const subjectOf = (event: WebhookEnvelope): string => {
  const livestream = event.data["livestream_id"]
  if (typeof livestream === "string") return `livestream:${livestream}`
  const room = event.data["room_id"]
  return typeof room === "string" ? `meeting:${room}` : `app:${event.app_id}`
}

const decodeEnvelope = Schema.decodeUnknownResult(Schema.fromJsonString(WebhookEnvelope))

/** The body decoded, or why it is not an OnAir event (not JSON, or a field missing or wrong). */
export const decodeEvent = (body: string) => decodeEnvelope(body)
