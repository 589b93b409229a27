/**
 * Turns one signal into one unit of work: the events of every aggregate it touches, decided in order,
 * each decision seeing the ones before it. If any decision fails, the whole unit fails and nothing is to
 * be appended, so the store appends a unit atomically (with each touched stream's expected version).
 *
 * The policy that keeps sessions in step with their livestream lives here: every broadcast event of a
 * livestream becomes the matching session command.
 */
import { Effect, Result } from "effect"
import { type Decider, fold } from "../Decider.ts"
import type { CommandOutOfOrder } from "../DomainError.ts"
import type { IngestCommand } from "../ingest/IngestCommand.ts"
import { IngestDecider } from "../ingest/IngestDecider.ts"
import { IngestAlreadyDecided, type IngestError, IngestNotConnected, IngestNotFound } from "../ingest/IngestError.ts"
import type { IngestEvent } from "../ingest/IngestEvent.ts"
import { type IngestState, isConnected } from "../ingest/IngestState.ts"
import type { LivestreamCommand } from "../livestream/LivestreamCommand.ts"
import { authorisePublish, LivestreamDecider } from "../livestream/LivestreamDecider.ts"
import { admits } from "../node/Placement.ts"
import type { LivestreamError } from "../livestream/LivestreamError.ts"
import type { LivestreamEvent } from "../livestream/LivestreamEvent.ts"
import type { Livestream, LivestreamState } from "../livestream/LivestreamState.ts"
import type { MeetingCommand } from "../meeting/MeetingCommand.ts"
import { MeetingDecider } from "../meeting/MeetingDecider.ts"
import { type MeetingError, MeetingNotFound } from "../meeting/MeetingError.ts"
import type { MeetingEvent } from "../meeting/MeetingEvent.ts"
import type { MeetingState } from "../meeting/MeetingState.ts"
import { AggregateReader, type AggregateReadFailed } from "../ports/AggregateReader.ts"
import type { SessionCommand } from "../session/SessionCommand.ts"
import { SessionDecider } from "../session/SessionDecider.ts"
import type { SessionError } from "../session/SessionError.ts"
import type { SessionEvent } from "../session/SessionEvent.ts"
import type { SessionState } from "../session/SessionState.ts"
import type { IngestId, LivestreamId } from "../Ids.ts"
import type { Timestamp } from "../Time.ts"
import type { AggregateKind, Change } from "./Change.ts"
import type { IngestSignal, MeetingLivestreamSignal, Signal } from "./Signal.ts"

export type WorkflowError =
  | LivestreamError
  | SessionError
  | IngestError
  | MeetingError
  | CommandOutOfOrder
  | AggregateReadFailed

export interface UnitOfWork {
  /** Every event in the order it was decided. */
  readonly changes: ReadonlyArray<Change>
}

type Step<A> = Effect.Effect<A, WorkflowError, AggregateReader>

/**
 * The aggregates touched so far in this unit, with their states after its decisions. Local to one
 * `handle` call.
 */
class Work {
  readonly changes: Array<Change> = []
  private readonly states = new Map<string, unknown>()

  private run<C, E, S, X extends WorkflowError>(
    kind: AggregateKind,
    id: string,
    decider: Decider<C, E, S, X>,
    load: Effect.Effect<S, AggregateReadFailed>,
    command: C,
    record: (event: E) => Change
  ): Step<{ readonly events: ReadonlyArray<E>; readonly state: S }> {
    const key = `${kind}-${id}`
    return Effect.gen({ self: this }, function* () {
      const state = this.states.has(key) ? (this.states.get(key) as S) : yield* load
      const events = yield* Result.match(decider.decide(command, state), {
        onFailure: (error) => Effect.fail(error),
        onSuccess: (events) => Effect.succeed(events)
      })
      const next = fold(decider, events, state)
      this.states.set(key, next)
      for (const event of events) this.changes.push(record(event))
      return { events, state: next }
    })
  }

  readLivestream(id: string): Step<LivestreamState> {
    const key = `livestream-${id}`
    return this.states.has(key)
      ? Effect.succeed(this.states.get(key) as LivestreamState)
      : Effect.flatMap(Effect.service(AggregateReader), (reader) => reader.livestream(id as Livestream["id"]))
  }

  livestream(command: LivestreamCommand) {
    return Effect.flatMap(Effect.service(AggregateReader), (reader) =>
      this.run<LivestreamCommand, LivestreamEvent, LivestreamState, LivestreamError | CommandOutOfOrder>(
        "livestream",
        command.livestreamId,
        LivestreamDecider,
        reader.livestream(command.livestreamId),
        command,
        (event) => ({ kind: "livestream", id: command.livestreamId, event })
      )
    )
  }

  session(command: SessionCommand) {
    return Effect.flatMap(Effect.service(AggregateReader), (reader) =>
      this.run<SessionCommand, SessionEvent, SessionState, SessionError | CommandOutOfOrder>(
        "session",
        command.sessionId,
        SessionDecider,
        reader.session(command.sessionId),
        command,
        (event) => ({ kind: "session", id: command.sessionId, event })
      )
    )
  }

  ingest(command: IngestCommand) {
    return Effect.flatMap(Effect.service(AggregateReader), (reader) =>
      this.run<IngestCommand, IngestEvent, IngestState, IngestError | CommandOutOfOrder>(
        "ingest",
        command.ingestId,
        IngestDecider,
        reader.ingest(command.ingestId),
        command,
        (event) => ({ kind: "ingest", id: command.ingestId, event })
      )
    )
  }

  meeting(command: MeetingCommand) {
    return Effect.flatMap(Effect.service(AggregateReader), (reader) =>
      this.run<MeetingCommand, MeetingEvent, MeetingState, MeetingError | CommandOutOfOrder>(
        "meeting",
        command.meetingId,
        MeetingDecider,
        reader.meeting(command.meetingId),
        command,
        (event) => ({ kind: "meeting", id: command.meetingId, event })
      )
    )
  }

  /** Runs a livestream command, then keeps its session in step with every broadcast event it produced. */
  broadcast(command: LivestreamCommand, at: Timestamp): Step<ReadonlyArray<LivestreamEvent>> {
    return Effect.gen({ self: this }, function* () {
      const { events, state } = yield* this.livestream(command)
      for (const event of events) {
        const follow = state === null ? null : sessionCommandFor(state, event, at)
        if (follow !== null) yield* this.session(follow)
      }
      return events
    })
  }
}

/** The session command that mirrors a livestream's broadcast event, if it has one. */
export const sessionCommandFor = (
  livestream: Livestream,
  event: LivestreamEvent,
  at: Timestamp
): SessionCommand | null => {
  switch (event._tag) {
    case "BroadcastInvoked":
      return {
        _tag: "InvokeSession",
        sessionId: event.sessionId,
        at: event.at,
        livestreamId: livestream.id,
        accountId: livestream.accountId,
        appId: livestream.appId
      }
    case "PublisherConnected":
      return { _tag: "ConnectMedia", sessionId: event.sessionId, at: event.at, ingestId: event.ingestId }
    case "PublisherDisconnected":
      return { _tag: "DisconnectMedia", sessionId: event.sessionId, at: event.at }
    case "BroadcastEnded":
      return {
        _tag: "StopSession",
        sessionId: event.sessionId,
        at,
        endedAt: event.at,
        reason: event.reason,
        errMessage: event.errMessage
      }
    default:
      return null
  }
}

/**
 * Ends a connection, and with it the media of the broadcast it was publishing, by `command`. Only the
 * livestream's own publisher ends its media: a dropped or refused connection's end does not.
 */
const disconnect = (
  work: Work,
  signal: { readonly ingestId: IngestId; readonly at: Timestamp },
  command: (livestreamId: LivestreamId) => LivestreamCommand
): Step<void> =>
  Effect.gen(function* () {
    const { state } = yield* work.ingest({ _tag: "DisconnectIngest", ingestId: signal.ingestId, at: signal.at })
    if (state === null || state.verdict._tag !== "Accepted") return
    const livestream = yield* work.readLivestream(state.verdict.livestreamId)
    if (
      livestream !== null &&
      !livestream.deleted &&
      livestream.broadcast._tag === "Connected" &&
      livestream.broadcast.ingestId === signal.ingestId
    ) {
      yield* work.broadcast(command(livestream.id), signal.at)
    }
  })

const ingestSignal = (work: Work, signal: IngestSignal): Step<void> =>
  Effect.gen(function* () {
    const reader = yield* AggregateReader
    switch (signal._tag) {
      case "Publish": {
        const livestreamId = yield* reader.livestreamIdByStreamKey(signal.streamKey)
        const livestream = livestreamId === null ? null : yield* work.readLivestream(livestreamId)
        // A good key is refused for the node when the livestream is placed elsewhere, or the node takes none.
        const keyRefusal = authorisePublish(livestream, signal.streamKey)
        const refusal =
          keyRefusal !== null || livestream === null
            ? keyRefusal
            : !admits(livestream.placement, signal.nodeId, signal.nodeRegion)
              ? "wrong media node"
              : !signal.nodeAccepting
                ? "media node not accepting"
                : null
        const common = {
          ingestId: signal.ingestId,
          nodeId: signal.nodeId,
          at: signal.at,
          publisher: signal.publisher,
          ...(signal.protocol === undefined ? {} : { protocol: signal.protocol })
        }
        if (refusal !== null || livestream === null) {
          yield* work.ingest({
            _tag: "RefusePublish",
            ...common,
            livestreamId: refusal === "unknown key" || livestream === null ? null : livestream.id,
            reason: refusal ?? "unknown key"
          })
          return
        }
        // A connection publishes once; a repeated request must not touch the livestream.
        if ((yield* reader.ingest(signal.ingestId)) !== null) {
          return yield* Effect.fail(new IngestAlreadyDecided({ ingestId: signal.ingestId }))
        }
        const events = yield* work.broadcast(
          {
            _tag: "ConnectPublisher",
            livestreamId: livestream.id,
            at: signal.at,
            ingestId: signal.ingestId,
            streamKey: signal.streamKey,
            sessionId: signal.sessionId
          },
          signal.at
        )
        const connected = events.find((event) => event._tag === "PublisherConnected")
        yield* work.ingest({
          _tag: "AcceptPublish",
          ...common,
          livestreamId: livestream.id,
          sessionId: connected?.sessionId ?? signal.sessionId
        })
        return
      }
      case "Unpublish":
        return yield* disconnect(work, signal, (livestreamId) => ({
          _tag: "DisconnectPublisher",
          livestreamId,
          at: signal.at,
          ingestId: signal.ingestId
        }))
      case "ReportHealth":
        yield* work.ingest({ _tag: "SampleHealth", ingestId: signal.ingestId, at: signal.at, health: signal.health })
        return
      case "ReportManifest":
        yield* work.ingest({ _tag: "MarkManifestAvailable", ingestId: signal.ingestId, at: signal.at })
        return
      case "ReportRenditionsRefused":
        yield* work.ingest({
          _tag: "RefuseRenditions",
          ingestId: signal.ingestId,
          at: signal.at,
          reason: signal.reason,
          renditions: signal.renditions
        })
        return
      case "ReportMediaLost":
        return yield* disconnect(work, signal, (livestreamId) => ({
          _tag: "AbortBroadcast",
          livestreamId,
          at: signal.at,
          message: signal.message
        }))
      case "ReportPublishFailure": {
        const ingest = yield* reader.ingest(signal.ingestId)
        if (ingest === null) return yield* Effect.fail(new IngestNotFound({ ingestId: signal.ingestId }))
        if (ingest.verdict._tag !== "Accepted" || !isConnected(ingest)) {
          return yield* Effect.fail(new IngestNotConnected({ ingestId: signal.ingestId }))
        }
        yield* work.broadcast(
          {
            _tag: "FailPublish",
            livestreamId: ingest.verdict.livestreamId,
            at: signal.at,
            ingestId: signal.ingestId,
            message: signal.message
          },
          signal.at
        )
        return
      }
    }
  })

const meetingLivestreamSignal = (work: Work, signal: MeetingLivestreamSignal): Step<void> =>
  Effect.gen(function* () {
    const reader = yield* AggregateReader
    const meeting = yield* reader.meeting(signal.meetingId)
    if (meeting === null) return yield* Effect.fail(new MeetingNotFound({ meetingId: signal.meetingId }))
    if (signal._tag === "StartLivestreamForMeeting") {
      yield* work.meeting({
        _tag: "StartMeetingLivestream",
        meetingId: signal.meetingId,
        at: signal.at,
        livestreamId: signal.livestreamId
      })
      yield* work.broadcast(
        {
          _tag: "CreateLivestream",
          livestreamId: signal.livestreamId,
          at: signal.at,
          accountId: meeting.accountId,
          appId: meeting.appId,
          name: signal.name,
          meetingId: signal.meetingId,
          videoConfig: signal.videoConfig,
          streamKey: signal.streamKey,
          reconnectWindowSeconds: signal.reconnectWindowSeconds,
          limits: signal.limits,
          sessionId: signal.sessionId
        },
        signal.at
      )
      return
    }
    const { events } = yield* work.meeting({
      _tag: "StopMeetingLivestream",
      meetingId: signal.meetingId,
      at: signal.at
    })
    for (const event of events) {
      if (event._tag !== "MeetingLivestreamStopped") continue
      const livestream = yield* work.readLivestream(event.livestreamId)
      // A livestream already deleted, or already stopped and disabled, has nothing left to stop.
      if (livestream === null || livestream.deleted) continue
      if (livestream.broadcast._tag === "Idle" && livestream.disabled !== null) continue
      yield* work.broadcast({ _tag: "StopBroadcast", livestreamId: event.livestreamId, at: signal.at }, signal.at)
    }
  })

/** Decides one signal into one unit of work, or the first rule it broke. */
export const handle = (signal: Signal): Effect.Effect<UnitOfWork, WorkflowError, AggregateReader> => {
  const work = new Work()
  const step = ((): Step<unknown> => {
    switch (signal._tag) {
      case "Publish":
      case "Unpublish":
      case "ReportHealth":
      case "ReportManifest":
      case "ReportRenditionsRefused":
      case "ReportPublishFailure":
      case "ReportMediaLost":
        return ingestSignal(work, signal)
      case "StartLivestreamForMeeting":
      case "StopLivestreamForMeeting":
        return meetingLivestreamSignal(work, signal)
      case "AccrueViewerSeconds":
        return work.session(signal)
      case "CreateMeeting":
      case "SetMeetingStatus":
      case "OpenMeetingSession":
      case "CloseMeetingSession":
      case "JoinParticipant":
      case "LeaveParticipant":
        return work.meeting(signal)
      default:
        return work.broadcast(signal, signal.at)
    }
  })()
  return Effect.map(step, () => ({ changes: work.changes }))
}
