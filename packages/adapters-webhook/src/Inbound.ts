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
import { InboundEvents, type InboundResult, originMetadata, Timestamp } from "@onair/core"
import { awaitReadModel, CommandHandler } from "@onair/application"
import { Config, Effect, Layer, Option, Redacted, Result, Schema } from "effect"
import { verify } from "@onair/webhooks"
import { Envelope, invalid, parseTime, signalOf, WHEN } from "./InboundSignal.ts"

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
