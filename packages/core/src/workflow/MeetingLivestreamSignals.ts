/**
 * Livestreaming a meeting, started and stopped: the meeting records it and the livestream is created, or
 * the meeting's livestreams still broadcasting are stopped.
 */
import { Effect } from "effect"
import { MeetingNotFound } from "../meeting/MeetingError.ts"
import { AggregateReader } from "../ports/AggregateReader.ts"
import type { MeetingLivestreamSignal, MeetingSignal } from "./Signal.ts"
import type { Step, UnitOfWork } from "./UnitOfWork.ts"

export const meetingLivestreamSignal = (work: UnitOfWork, signal: MeetingLivestreamSignal): Step<void> =>
  Effect.gen(function* () {
    const reader = yield* AggregateReader
    const meeting = yield* reader.meeting(signal.meetingId)
    if (meeting === null) return yield* Effect.fail(new MeetingNotFound({ meetingId: signal.meetingId }))
    if (signal._tag === "StartLivestreamForMeeting") {
      yield* work.decide("meeting", {
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
          sessionId: signal.sessionId,
          ...(signal.composer === null ? {} : { composer: signal.composer })
        },
        signal.at
      )
      return
    }
    const { events } = yield* work.decide("meeting", {
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

/**
 * A participant joined or left a meeting: the meeting records it, and the livestream its composer
 * publishes is told when the meeting has nobody left (its `last peer left` timer starts) or somebody again
 * (the timer stops). The composer's own peer is not among the participants the real-time engine reports
 * to OnAir as a meeting's (docs/adr/0025-meeting-composer.md).
 */
export const meetingParticipantsChanged = (work: UnitOfWork, signal: MeetingSignal): Step<void> =>
  Effect.gen(function* () {
    const reader = yield* AggregateReader
    const before = yield* reader.meeting(signal.meetingId)
    const { events } = yield* work.decide("meeting", signal)
    if (before === null || before.activeLivestreamId === null || before.session === null) return
    if (signal._tag !== "JoinParticipant" && signal._tag !== "LeaveParticipant") return
    const participants = new Set(before.session.participants)
    for (const event of events) {
      if (event._tag === "ParticipantJoined") participants.add(event.participantId)
      if (event._tag === "ParticipantLeft") participants.delete(event.participantId)
    }
    const livestream = yield* work.readLivestream(before.activeLivestreamId)
    if (livestream === null || livestream.deleted || livestream.composer === null) return
    if (livestream.broadcast._tag === "Idle") return
    const empty = participants.size === 0
    if (empty === (livestream.meetingEmptySince !== null)) return
    yield* work.broadcast(
      { _tag: empty ? "MarkMeetingEmpty" : "MarkMeetingOccupied", livestreamId: livestream.id, at: signal.at },
      signal.at
    )
  })

/**
 * A meeting's session closed (its room ended): the meeting records it, and the livestream its composer
 * publishes stops with `room ended`, as the seed's beam stops by itself. A livestream an outside encoder
 * publishes is the encoder's to stop.
 */
export const meetingSessionClosed = (work: UnitOfWork, signal: MeetingSignal): Step<void> =>
  Effect.gen(function* () {
    yield* work.decide("meeting", signal)
    if (signal._tag !== "CloseMeetingSession") return
    const reader = yield* AggregateReader
    const meeting = yield* reader.meeting(signal.meetingId)
    if (meeting === null || meeting.activeLivestreamId === null) return
    const livestream = yield* work.readLivestream(meeting.activeLivestreamId)
    if (livestream === null || livestream.deleted || livestream.composer === null) return
    if (livestream.broadcast._tag === "Idle") return
    yield* work.decide("meeting", { _tag: "StopMeetingLivestream", meetingId: signal.meetingId, at: signal.at })
    yield* work.broadcast(
      { _tag: "StopBroadcast", livestreamId: livestream.id, at: signal.at, reason: "room ended" },
      signal.at
    )
  })
