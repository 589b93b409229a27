/**
 * The recording decider: recording -> finalising -> ready | failed, then deleted at most once. A recording
 * fails from recording (its node was lost with the files) or from finalising (joining them failed, the disk
 * was full, storage was unreachable); a finished one never changes but by deletion, except that one failed
 * only for unreachable storage becomes ready when its node's kept copy is uploaded after all.
 */
import { Result } from "effect"
import type { Decider } from "../Decider.ts"
import { CommandOutOfOrder } from "../DomainError.ts"
import type { RecordingCommand } from "./RecordingCommand.ts"
import {
  RecordingAlreadySettled,
  RecordingAlreadyStarted,
  RecordingDeleted,
  type RecordingError,
  RecordingNotFound,
  RecordingNotInProgress,
  RecordingStillInProgress,
  TranscriptionNotRunning,
  TranscriptionNotWanted
} from "./RecordingError.ts"
import type { RecordingEvent } from "./RecordingEvent.ts"
import { awaitsUpload, isUnsettled, type Recording, type RecordingState } from "./RecordingState.ts"

type Events = Result.Result<ReadonlyArray<RecordingEvent>, RecordingError | CommandOutOfOrder>

const decideExisting = (command: RecordingCommand, recording: Recording): Events => {
  const subject = { recordingId: recording.id, at: command.at }
  const phase = recording.phase._tag
  if (recording.deletedAt !== null) return Result.fail(new RecordingDeleted({ recordingId: recording.id }))
  switch (command._tag) {
    case "StartRecording":
      return Result.fail(new RecordingAlreadyStarted({ recordingId: recording.id }))
    case "FinaliseRecording":
      if (phase === "Finalising") return Result.succeed([])
      if (phase !== "Recording") return Result.fail(new RecordingNotInProgress({ recordingId: recording.id, phase }))
      return Result.succeed([{ _tag: "RecordingFinalising", ...subject, transcribe: command.transcribe }])
    case "CompleteRecording":
      if (phase !== "Finalising" && !awaitsUpload(recording)) {
        return Result.fail(new RecordingNotInProgress({ recordingId: recording.id, phase }))
      }
      return Result.succeed([{ _tag: "RecordingReady", ...subject, assets: command.assets, storage: command.storage }])
    case "FailRecording":
      if (!isUnsettled(recording)) return Result.fail(new RecordingAlreadySettled({ recordingId: recording.id, phase }))
      return Result.succeed([{ _tag: "RecordingFailed", ...subject, reason: command.reason }])
    case "DeleteRecording":
      if (isUnsettled(recording)) return Result.fail(new RecordingStillInProgress({ recordingId: recording.id }))
      return Result.succeed([{ _tag: "RecordingDeleted", ...subject, by: command.by }])
    case "StartTranscription": {
      if (recording.transcription?._tag === "Transcribing") return Result.succeed([])
      if (phase !== "Ready" || !recording.transcribe || recording.transcription !== null) {
        return Result.fail(new TranscriptionNotWanted({ recordingId: recording.id, phase }))
      }
      return Result.succeed([{ _tag: "TranscriptionStarted", ...subject }])
    }
    case "CompleteTranscription":
    case "FailTranscription": {
      if (recording.transcription?._tag !== "Transcribing") {
        return Result.fail(
          new TranscriptionNotRunning({
            recordingId: recording.id,
            transcription: recording.transcription?._tag ?? "none"
          })
        )
      }
      return Result.succeed([
        command._tag === "CompleteTranscription"
          ? { _tag: "TranscriptionReady", ...subject, assets: command.assets }
          : { _tag: "TranscriptionFailed", ...subject, reason: command.reason }
      ])
    }
  }
}

export const decide = (command: RecordingCommand, state: RecordingState): Events => {
  if (state === null) {
    return command._tag === "StartRecording"
      ? Result.succeed([{ ...command, _tag: "RecordingStarted" }])
      : Result.fail(new RecordingNotFound({ recordingId: command.recordingId }))
  }
  if (command.at < state.updatedAt) {
    return Result.fail(
      new CommandOutOfOrder({ aggregate: "recording", id: state.id, at: command.at, lastChangedAt: state.updatedAt })
    )
  }
  return decideExisting(command, state)
}

export const evolve = (state: RecordingState, event: RecordingEvent): RecordingState => {
  if (event._tag === "RecordingStarted") {
    return {
      id: event.recordingId,
      livestreamId: event.livestreamId,
      accountId: event.accountId,
      appId: event.appId,
      nodeId: event.nodeId,
      phase: { _tag: "Recording" },
      deletedAt: null,
      startedAt: event.at,
      stoppedAt: null,
      transcribe: false,
      transcription: null,
      updatedAt: event.at
    }
  }
  if (state === null) return state
  const recording = { ...state, updatedAt: event.at }
  switch (event._tag) {
    case "RecordingFinalising":
      return {
        ...recording,
        phase: { _tag: "Finalising", since: event.at },
        stoppedAt: event.at,
        transcribe: event.transcribe
      }
    case "RecordingReady":
      return { ...recording, phase: { _tag: "Ready", assets: event.assets, storage: event.storage } }
    case "RecordingFailed":
      return {
        ...recording,
        phase: { _tag: "Failed", reason: event.reason },
        stoppedAt: recording.stoppedAt ?? event.at
      }
    case "RecordingDeleted":
      return { ...recording, deletedAt: event.at }
    case "TranscriptionStarted":
      return { ...recording, transcription: { _tag: "Transcribing", since: event.at } }
    case "TranscriptionReady":
      return { ...recording, transcription: { _tag: "Transcribed", assets: event.assets } }
    case "TranscriptionFailed":
      return { ...recording, transcription: { _tag: "TranscriptionFailed", reason: event.reason } }
  }
}

export const RecordingDecider: Decider<
  RecordingCommand,
  RecordingEvent,
  RecordingState,
  RecordingError | CommandOutOfOrder
> = {
  initialState: null,
  decide,
  evolve
}
