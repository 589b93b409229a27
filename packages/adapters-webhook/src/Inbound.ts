/**
 * Events from a real-time media engine, in webhook seed 004's envelope, applied to meetings: verified by
 * the Standard Webhooks scheme with a shared secret, idempotent by event id (a repeated id is answered as
 * the first one was, and changes nothing), mapped to meeting commands:
 *
 * | type | command |
 * | --- | --- |
 * | `session.open.success` | OpenMeetingSession (`data.room_id` the meeting, `data.session_id` its session) |
 * | `session.close.success`, `room.end.success` | CloseMeetingSession |
 * | `peer.join.success` | JoinParticipant (`data.peer_id`) |
 * | `peer.leave.success` | LeaveParticipant |
 */
import { CatalogReads } from "@onair/catalog"
import {
  InboundEvents,
  type InboundResult,
  MeetingId,
  MeetingSessionId,
  type MeetingSignal,
  originMetadata,
  ParticipantId,
  Timestamp
} from "@onair/core"
import { awaitReadModel, CommandHandler } from "@onair/application"
import { Config, Effect, Layer, Option, Redacted, Result, Schema } from "effect"
import { verify } from "@onair/webhooks"

const Envelope = Schema.Struct({
  version: Schema.String,
  id: Schema.String.pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(128))),
  account_id: Schema.String,
  app_id: Schema.String,
  timestamp: Schema.String,
  type: Schema.String,
  data: Schema.Record(Schema.String, Schema.Unknown)
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

/** The meeting command an event means, or why it means none. */
const signalOf = (envelope: typeof Envelope.Type, at: Timestamp): MeetingSignal | InboundResult => {
  const data = envelope.data
  const room = text(data, "room_id")
  if (room === undefined || !Schema.is(MeetingId)(room)) return invalid("data.room_id", "a meeting id (uuid)")
  const session = text(data, "session_id")
  if (session === undefined || !Schema.is(MeetingSessionId)(session)) {
    return invalid("data.session_id", "1–128 letters, digits, `_ . : -`")
  }
  const meetingId = MeetingId.make(room)
  const meetingSessionId = MeetingSessionId.make(session)
  const peer = () => {
    const id = text(data, "peer_id")
    return id !== undefined && Schema.is(ParticipantId)(id) ? ParticipantId.make(id) : undefined
  }
  switch (envelope.type) {
    case "session.open.success":
      return { _tag: "OpenMeetingSession", meetingId, meetingSessionId, at }
    case "session.close.success":
    case "room.end.success":
      return { _tag: "CloseMeetingSession", meetingId, meetingSessionId, at }
    case "peer.join.success":
    case "peer.leave.success": {
      const participantId = peer()
      if (participantId === undefined) return invalid("data.peer_id", "1–128 letters, digits, `_ . : -`")
      return envelope.type === "peer.join.success"
        ? { _tag: "JoinParticipant", meetingId, participantId, at }
        : { _tag: "LeaveParticipant", meetingId, participantId, at }
    }
    default:
      return { _tag: "Ignored", type: envelope.type }
  }
}

const WHEN: Readonly<Record<string, string>> = {
  "session.open.success": "session_started_at",
  "session.close.success": "session_stopped_at",
  "peer.join.success": "joined_at",
  "peer.leave.success": "left_at"
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
    if (meeting === undefined || meeting.accountId !== envelope.account_id || meeting.appId !== envelope.app_id) {
      return { _tag: "NotFound", what: `meeting ${signal.meetingId}` } as InboundResult
    }
    const commands = yield* CommandHandler
    const apply = (stamped: typeof signal) =>
      commands.handle(stamped, originMetadata(`inbound:${envelope.id}`, "system:realtime", stamped.at))
    return yield* apply(signal).pipe(
      // The seed's times are whole seconds: an event stamped in the second the meeting last changed happened
      // after that change, not before it, and is applied at that change's time.
      Effect.catchTag("CommandOutOfOrder", (error) =>
        error.lastChangedAt - signal.at < 1000
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
