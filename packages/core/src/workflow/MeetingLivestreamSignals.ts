/**
 * Livestreaming a meeting, started and stopped: the meeting records it and the livestream is created, or
 * the meeting's livestreams still broadcasting are stopped.
 */
import { Effect } from "effect"
import { MeetingNotFound } from "../meeting/MeetingError.ts"
import { AggregateReader } from "../ports/AggregateReader.ts"
import type { MeetingLivestreamSignal } from "./Signal.ts"
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
