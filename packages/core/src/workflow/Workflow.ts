/**
 * Turns one signal into one unit of work: the events of every aggregate it touches, decided in order,
 * each decision seeing the ones before it (`UnitOfWork`). If any decision fails, the whole unit fails and
 * nothing is to be appended, so the store appends a unit atomically (with each touched stream's expected
 * version). Signals from media nodes are decided in `IngestSignals`, a meeting's livestreaming in
 * `MeetingLivestreamSignals`; the rest are one aggregate's commands.
 */
import { Effect } from "effect"
import type { AggregateReader } from "../ports/AggregateReader.ts"
import type { Change } from "./Change.ts"
import { ingestSignal } from "./IngestSignals.ts"
import {
  meetingLivestreamSignal,
  meetingParticipantsChanged,
  meetingSessionClosed
} from "./MeetingLivestreamSignals.ts"
import type { Signal } from "./Signal.ts"
import { type Step, UnitOfWork, type WorkflowError } from "./UnitOfWork.ts"

export { sessionCommandFor } from "./SessionPolicy.ts"
export type { WorkflowError } from "./UnitOfWork.ts"

/** What a signal decided: every event in the order it was decided. */
export interface DecidedWork {
  readonly changes: ReadonlyArray<Change>
}

/** Decides one signal into one unit of work, or the first rule it broke. */
export const handle = (signal: Signal): Effect.Effect<DecidedWork, WorkflowError, AggregateReader> => {
  const work = new UnitOfWork()
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
        return work.decide("session", signal)
      case "CreateMeeting":
      case "SetMeetingStatus":
      case "CloseMeetingSession":
        return meetingSessionClosed(work, signal)
      case "JoinParticipant":
      case "LeaveParticipant":
        return meetingParticipantsChanged(work, signal)
      case "OpenMeetingSession":
      case "ForwardEngineEvent":
        return work.decide("meeting", signal)
      default:
        return work.broadcast(signal, signal.at)
    }
  })()
  return Effect.map(step, () => ({ changes: work.changes }))
}
