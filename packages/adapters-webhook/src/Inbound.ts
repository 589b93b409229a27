/**
 * Events from a real-time media engine, in webhook seed 004's envelope, applied to meetings: verified by
 * the Standard Webhooks scheme with a shared secret, idempotent by event id (a repeated id is answered as
 * the first one was, and changes nothing), mapped to meeting commands:
 *
 * | type | command |
 * | --- | --- |
 * | `session.open.success` | OpenMeetingSession (`data.room_id` the meeting, `data.session_id` its session) |
 * | `session.close.success` | CloseMeetingSession |
 * | `room.end.success` | CloseMeetingSession, and the event forwarded to the app's endpoints |
 * | `peer.join.success` | JoinParticipant (`data.peer_id`; `user_id`, `user_name`, `user_data`, `role`, `type` kept) |
 * | `peer.leave.success` | LeaveParticipant (`reason` in the seed's words, `message`) |
 * | `room.end.failure`, `role.change.*`, `peer.join.failure`, `peer.leave.failure` | ForwardEngineEvent: to the app's endpoints as received |
 * | any other type | nothing (answered 2xx) |
 *
 * The app is the meeting's: the seed's peer and room events carry no `app_id` (one that does must match).
 * A field the seed lists holding a value of another type is a 400 naming it.
 */
import { CatalogReads } from "@onair/catalog"
import {
  ForwardedEngineEventType,
  InboundEvents,
  type InboundResult,
  MeetingId,
  MeetingSessionId,
  type MeetingSignal,
  originMetadata,
  ParticipantId,
  type ParticipantProfile,
  type PeerLeaveReason,
  seedTypeProblem,
  seedValues,
  Timestamp
} from "@onair/core"
import { awaitReadModel, CommandHandler } from "@onair/application"
import { Config, Effect, Layer, Option, Redacted, Result, Schema } from "effect"
import { verify } from "@onair/webhooks"

/** The seed's envelope as the engine sends it: `app_id` is absent from the seed's peer and room samples. */
const Envelope = Schema.Struct({
  version: Schema.String,
  id: Schema.String.pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(128))),
  account_id: Schema.optionalKey(Schema.String),
  app_id: Schema.optionalKey(Schema.String),
  timestamp: Schema.String,
  type: Schema.String,
  data: Schema.Record(Schema.String, Schema.Json)
})

const invalid = (field: string, message: string): InboundResult => ({ _tag: "Invalid", field, message })

/** Epoch ms of a seed time (`2021-11-30T12:58:49.97291247Z`: more than millisecond digits are cut). */
const parseTime = (value: unknown): number | undefined => {
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

/** A profile field: absent or a string (or null) within its length. */
const profileText = (data: Readonly<Record<string, unknown>>, field: string, max: number) => {
  const value = data[field]
  if (value === undefined || value === null) return { value: null }
  return typeof value === "string" && value.length <= max ? { value } : undefined
}

/** What the engine says of a joining participant (seed 004's peer fields), or the field that is wrong. */
const profileOf = (data: Readonly<Record<string, unknown>>): ParticipantProfile | InboundResult => {
  const userId = profileText(data, "user_id", 256)
  const name = profileText(data, "user_name", 256)
  const userData = profileText(data, "user_data", 4096)
  const role = profileText(data, "role", 256)
  if (userId === undefined) return invalid("data.user_id", "a string of up to 256 characters")
  if (name === undefined) return invalid("data.user_name", "a string of up to 256 characters")
  if (userData === undefined) return invalid("data.user_data", "a string of up to 4,096 characters")
  if (role === undefined) return invalid("data.role", "a string of up to 256 characters")
  const type = data["type"] ?? null
  if (type !== null && type !== "regular" && type !== "sip") return invalid("data.type", "`regular` or `sip`")
  return { userId: userId.value, name: name.value, data: userData.value, role: role.value, type }
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

/** The meeting command an event means, or why it means none. */
const signalOf = (envelope: typeof Envelope.Type, at: Timestamp): MeetingSignal | InboundResult => {
  // Types OnAir has nothing to do with are answered 2xx, whatever they hold.
  if (!HANDLED.has(envelope.type)) return { _tag: "Ignored", type: envelope.type }
  const room = text(envelope.data, "room_id")
  if (room === undefined || !Schema.is(MeetingId)(room)) return invalid("data.room_id", "a meeting id (uuid)")
  const meetingId = MeetingId.make(room)
  const normalised = seedValuesOf(envelope.type, envelope.data)
  if ("_tag" in normalised) return normalised
  const data = normalised.data
  if (FORWARDED.includes(envelope.type) && envelope.type !== "room.end.success") {
    const forwarded = { type: envelope.type as ForwardedEngineEventType, data }
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
    case "room.end.success":
      // The session closes, and the app hears of the room's end as the engine told it.
      return {
        _tag: "CloseMeetingSession",
        meetingId,
        meetingSessionId,
        at,
        forwarded: { type: "room.end.success", data }
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
      const message = data["message"]
      if (message !== undefined && message !== null && (typeof message !== "string" || message.length > 1024)) {
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

const WHEN: Readonly<Record<string, string>> = {
  "session.open.success": "session_started_at",
  "session.close.success": "session_stopped_at",
  "peer.join.success": "joined_at",
  "peer.leave.success": "left_at",
  "role.change.success": "role_changed_at"
}

/** Verifies, decodes and applies one inbound request. */
export const receive = (
  secret: string,
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  nowMillis: number
) =>
  Effect.gen(function* () {
    const verified = verify(secret, headers, body, Math.floor(nowMillis / 1000))
    if (verified._tag === "Refused") return { _tag: "Unauthorized", reason: verified.reason } as InboundResult
    const json = Result.try(() => JSON.parse(body) as unknown)
    if (Result.isFailure(json)) return invalid("body", "not JSON")
    const decoded = Schema.decodeUnknownResult(Envelope)(json.success)
    if (Result.isFailure(decoded))
      return invalid("body", `not the webhook envelope: ${String(decoded.failure).slice(0, 200)}`)
    const envelope = decoded.success
    const at = parseTime(envelope.data[WHEN[envelope.type] ?? ""]) ?? parseTime(envelope.timestamp)
    if (at === undefined) return invalid("timestamp", "an ISO-8601 time")
    const signal = signalOf(envelope, Timestamp.make(at))
    if (!("at" in signal)) return signal
    // Only the meeting's own account and app may speak for it.
    const catalog = yield* CatalogReads
    const meeting = yield* catalog.meetingById(signal.meetingId)
    // The seed's peer and room events carry no `app_id`: the meeting's own app is the one told.
    if (
      meeting === undefined ||
      (envelope.account_id !== undefined && meeting.accountId !== envelope.account_id) ||
      (envelope.app_id !== undefined && meeting.appId !== envelope.app_id)
    ) {
      return { _tag: "NotFound", what: `meeting ${signal.meetingId}` } as InboundResult
    }
    const commands = yield* CommandHandler
    const apply = (stamped: typeof signal) =>
      commands.handle(stamped, originMetadata(`inbound:${envelope.id}`, "system:realtime", stamped.at))
    return yield* apply(signal).pipe(
      // The seed's times are whole seconds: an event stamped in the second the meeting last changed happened
      // after that change, not before it, and is applied at that change's time.
      // An event only told to the app is told whenever it comes.
      Effect.catchTag("CommandOutOfOrder", (error) =>
        error.lastChangedAt - signal.at < 1000 || signal._tag === "ForwardEngineEvent"
          ? apply({ ...signal, at: Timestamp.make(error.lastChangedAt) })
          : Effect.fail(error)
      ),
      awaitReadModel(catalog),
      Effect.map(
        (handled): InboundResult => ({
          _tag: "Applied",
          duplicate: handled.append?.duplicate === true || handled.changes.length === 0
        })
      ),
      Effect.catch((error) =>
        error._tag === "EventStoreFailed" || error._tag === "CommandConflict"
          ? Effect.fail(error)
          : Effect.succeed({ _tag: "Refused", rule: error._tag } as InboundResult)
      )
    )
  })

/**
 * The core's `InboundEvents` port: on when `ONAIR_INBOUND_WEBHOOK_SECRET` holds the secret shared with the
 * real-time media engine, off (every request refused) when it is unset.
 */
export const layer = Layer.effect(
  InboundEvents,
  Effect.gen(function* () {
    const secret = yield* Config.option(Config.Redacted("ONAIR_INBOUND_WEBHOOK_SECRET"))
    const context = yield* Effect.context<CatalogReads | CommandHandler>()
    return InboundEvents.of({
      enabled: Option.isSome(secret),
      receive: (headers, body, nowMillis) =>
        Option.isNone(secret)
          ? Effect.succeed({ _tag: "Unauthorized", reason: "inbound webhooks are off" } as InboundResult)
          : receive(Redacted.value(secret.value), headers, body, nowMillis).pipe(Effect.provide(context))
    })
  })
)
