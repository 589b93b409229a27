/**
 * What one of the real-time engine's events means to OnAir (Inbound.ts applies it): the envelope as the
 * engine sends it, checked against the webhook seed's table (a listed field of another type, or a value
 * outside the seed's enumeration, is the field's 400), and the meeting command it becomes.
 */
import {
  type ForwardedEngineEvent,
  ForwardedEngineEventType,
  type InboundResult,
  MeetingId,
  MeetingSessionId,
  type MeetingSignal,
  ParticipantId,
  LeaveMessage,
  ParticipantProfile,
  type PeerLeaveReason,
  seedFieldsOf,
  seedTypeProblem,
  seedValues,
  type Timestamp
} from "@onair/core"
import { Result, Schema } from "effect"

/** The seed's envelope as the engine sends it: `app_id` is absent from the seed's peer and room samples. */
export const Envelope = Schema.Struct({
  version: Schema.String,
  id: Schema.String.pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(128))),
  account_id: Schema.optionalKey(Schema.String),
  app_id: Schema.optionalKey(Schema.String),
  timestamp: Schema.String,
  type: Schema.String,
  data: Schema.Record(Schema.String, Schema.Json)
})

export const invalid = (field: string, message: string): InboundResult => ({ _tag: "Invalid", field, message })

/** Epoch ms of a seed time (`2021-11-30T12:58:49.97291247Z`: more than millisecond digits are cut). */
export const parseTime = (value: unknown): number | undefined => {
  if (typeof value !== "string") return undefined
  const at = Date.parse(value.replace(/(\.\d{3})\d+/, "$1"))
  return Number.isNaN(at) ? undefined : at
}

const text = (data: Readonly<Record<string, unknown>>, field: string) =>
  typeof data[field] === "string" ? (data[field] as string) : undefined

const FORWARDED: ReadonlyArray<string> = ForwardedEngineEventType.literals
const HANDLED = new Set([
  "session.open.success",
  "session.close.success",
  "room.end.success",
  "peer.join.success",
  "peer.leave.success",
  ...FORWARDED
])

/** The seed's name of each field of a participant's profile. */
const PROFILE_FIELDS = { userId: "user_id", name: "user_name", data: "user_data", role: "role", type: "type" } as const

/**
 * What the engine says of a joining participant (seed 004's peer fields), held to the profile's own schema
 * (an absent field is null), or the seed's field that breaks it.
 */
const profileOf = (data: Readonly<Record<string, unknown>>): ParticipantProfile | InboundResult => {
  const profile: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(PROFILE_FIELDS)) {
    const decoded = Schema.decodeUnknownResult(ParticipantProfile.fields[key as keyof typeof PROFILE_FIELDS])(
      data[field] ?? null
    )
    if (Result.isFailure(decoded)) return invalid(`data.${field}`, String(decoded.failure).slice(0, 200))
    profile[key] = decoded.success
  }
  return profile as ParticipantProfile
}

/**
 * The data with each field the seed lists of the seed's type, and each it enumerates in the seed's words:
 * spelled as the seed spells it when only its case differs (the seed's own `peer.leave.failure` sample
 * says "Peer not joined", its list "peer not joined"), else a 400 naming it.
 */
const seedValuesOf = (
  type: string,
  data: { readonly [key: string]: Schema.Json }
): { readonly data: { readonly [key: string]: Schema.Json } } | InboundResult => {
  const result: Record<string, Schema.Json> = {}
  for (const [field, value] of Object.entries(data)) {
    const problem = seedTypeProblem(type, field, value)
    if (problem !== undefined) return invalid(`data.${field}`, problem)
    const values = seedValues(type, field)
    if (values === undefined || typeof value !== "string" || values.includes(value)) {
      result[field] = value
      continue
    }
    const spelled = values.find((candidate) => candidate.toLowerCase() === value.toLowerCase())
    if (spelled === undefined) return invalid(`data.${field}`, `one of the seed's: ${values.join(", ")}`)
    result[field] = spelled
  }
  return { data: result }
}

/** The longest text a forwarded field may hold (the seed's are ids, names, reasons and times). */
const FORWARDED_TEXT_MAX = 4096

/**
 * What is kept of an event forwarded to the app: the fields the seed lists for its type (what the app's
 * receivers read; the log keeps nothing more), none of them longer than `FORWARDED_TEXT_MAX`.
 */
const forwardedData = (
  type: ForwardedEngineEventType,
  data: { readonly [key: string]: Schema.Json }
): ForwardedEngineEvent | InboundResult => {
  const kept = seedFieldsOf(type, data)
  for (const [field, value] of Object.entries(kept)) {
    if (typeof value === "string" && value.length > FORWARDED_TEXT_MAX)
      return invalid(`data.${field}`, `at most ${FORWARDED_TEXT_MAX} characters`)
    if (typeof value === "object" && value !== null && JSON.stringify(value).length > FORWARDED_TEXT_MAX)
      return invalid(`data.${field}`, `at most ${FORWARDED_TEXT_MAX} characters of JSON`)
  }
  return { type, data: kept }
}

/** The meeting command an event means, or why it means none. */
export const signalOf = (envelope: typeof Envelope.Type, at: Timestamp): MeetingSignal | InboundResult => {
  // Types OnAir has nothing to do with are answered 2xx, whatever they hold.
  if (!HANDLED.has(envelope.type)) return { _tag: "Ignored", type: envelope.type }
  const room = text(envelope.data, "room_id")
  if (room === undefined || !Schema.is(MeetingId)(room)) return invalid("data.room_id", "a meeting id (uuid)")
  const meetingId = MeetingId.make(room)
  const normalised = seedValuesOf(envelope.type, envelope.data)
  if ("_tag" in normalised) return normalised
  const data = normalised.data
  const forwardedOf = () => forwardedData(envelope.type as ForwardedEngineEventType, data)
  if (FORWARDED.includes(envelope.type) && envelope.type !== "room.end.success") {
    const forwarded = forwardedOf()
    if ("_tag" in forwarded) return forwarded
    return { _tag: "ForwardEngineEvent", meetingId, at, forwarded }
  }
  const session = text(data, "session_id")
  if (session === undefined || !Schema.is(MeetingSessionId)(session)) {
    return invalid("data.session_id", "1–128 letters, digits, `_ . : -`")
  }
  const meetingSessionId = MeetingSessionId.make(session)
  const peer = () => {
    const id = text(data, "peer_id")
    return id !== undefined && Schema.is(ParticipantId)(id) ? ParticipantId.make(id) : undefined
  }
  switch (envelope.type) {
    case "session.open.success":
      return { _tag: "OpenMeetingSession", meetingId, meetingSessionId, at }
    case "session.close.success":
      return { _tag: "CloseMeetingSession", meetingId, meetingSessionId, at }
    case "room.end.success": {
      // The session closes, and the app hears of the room's end as the engine told it.
      const forwarded = forwardedOf()
      if ("_tag" in forwarded) return forwarded
      return { _tag: "CloseMeetingSession", meetingId, meetingSessionId, at, forwarded }
    }
    case "peer.join.success": {
      const participantId = peer()
      if (participantId === undefined) return invalid("data.peer_id", "1–128 letters, digits, `_ . : -`")
      const profile = profileOf(data)
      if ("_tag" in profile) return profile
      return { _tag: "JoinParticipant", meetingId, participantId, at, profile }
    }
    default: {
      const participantId = peer()
      if (participantId === undefined) return invalid("data.peer_id", "1–128 letters, digits, `_ . : -`")
      const reason = data["reason"]
      const message = data["message"] ?? null
      if (message !== null && !Schema.is(LeaveMessage)(message)) {
        return invalid("data.message", "a string of up to 1,024 characters")
      }
      return {
        _tag: "LeaveParticipant",
        meetingId,
        participantId,
        at,
        ...(typeof reason === "string" ? { reason: reason as PeerLeaveReason } : {}),
        ...(typeof message === "string" ? { message } : {})
      }
    }
  }
}

export const WHEN: Readonly<Record<string, string>> = {
  "session.open.success": "session_started_at",
  "session.close.success": "session_stopped_at",
  "peer.join.success": "joined_at",
  "peer.leave.success": "left_at",
  "role.change.success": "role_changed_at"
}
