/**
 * Value types of a meeting, in the meetings API's shapes.
 */
import { Schema } from "effect"
import { SEED_WEBHOOK_TABLE } from "../webhook/SeedWebhookTable.ts"

export const MeetingStatus = Schema.Literals(["ACTIVE", "INACTIVE"])
export type MeetingStatus = typeof MeetingStatus.Type

export const MeetingTitle = Schema.String.pipe(Schema.check(Schema.isMaxLength(256)))

/** What the real-time engine says of a participant as it joins (seed 004's `peer.join.success`). */
export const ParticipantProfile = Schema.Struct({
  userId: Schema.NullOr(Schema.String.pipe(Schema.check(Schema.isMaxLength(256)))),
  name: Schema.NullOr(Schema.String.pipe(Schema.check(Schema.isMaxLength(256)))),
  /** The seed's `user_data`: a string the app gave the participant (often JSON). */
  data: Schema.NullOr(Schema.String.pipe(Schema.check(Schema.isMaxLength(4096)))),
  role: Schema.NullOr(Schema.String.pipe(Schema.check(Schema.isMaxLength(256)))),
  /** `regular`, or `sip` for a participant that joined by SIP (the seed's values). */
  type: Schema.NullOr(Schema.Literals(SEED_WEBHOOK_TABLE["peer.join.success"].enums.type))
})
export type ParticipantProfile = typeof ParticipantProfile.Type

/** Why a participant left, in seed 004's words (`peer.leave.success`'s `reason`, from the seed's table). */
export const PeerLeaveReason = Schema.Literals(SEED_WEBHOOK_TABLE["peer.leave.success"].enums.reason)
export type PeerLeaveReason = typeof PeerLeaveReason.Type

/** What a participant's remover said as it was removed (`peer.leave.success`'s `message`). */
export const LeaveMessage = Schema.String.pipe(Schema.check(Schema.isMaxLength(1024)))

/**
 * The engine's events OnAir learns of and has nothing to do with but tell the app (seed 004): forwarded to
 * its endpoints as received.
 */
export const ForwardedEngineEventType = Schema.Literals([
  "room.end.success",
  "room.end.failure",
  "role.change.success",
  "role.change.failure",
  "peer.join.failure",
  "peer.leave.failure"
])
export type ForwardedEngineEventType = typeof ForwardedEngineEventType.Type

/** One engine event as received: its type and its `data` (JSON, up to the inbound body's limit). */
export const ForwardedEngineEvent = Schema.Struct({
  type: ForwardedEngineEventType,
  data: Schema.Record(Schema.String, Schema.Json)
})
export type ForwardedEngineEvent = typeof ForwardedEngineEvent.Type
