/**
 * Events of a recording's stream (`recording-<session id>`).
 */
import { Effect, Schema } from "effect"
import { AccountId, AppId, LivestreamId, MediaNodeId, SessionId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import {
  DeletedBy,
  RecordingAssets,
  RecordingFailure,
  StorageOfReady,
  TranscriptAssets,
  TranscriptionFailure
} from "./RecordingValues.ts"

const subject = { recordingId: SessionId, at: Timestamp }

export const RecordingEvent = Schema.TaggedUnion({
  RecordingStarted: { ...subject, livestreamId: LivestreamId, accountId: AccountId, appId: AppId, nodeId: MediaNodeId },
  /** `transcribe`: whether its app wants it transcribed once it is ready. */
  RecordingFinalising: {
    ...subject,
    transcribe: Schema.Boolean.pipe(Schema.withDecodingDefaultKey(Effect.succeed(false)))
  },
  RecordingReady: { ...subject, assets: RecordingAssets, storage: StorageOfReady },
  RecordingFailed: { ...subject, reason: RecordingFailure },
  /** `by`: its owner, or the app's retention. */
  RecordingDeleted: { ...subject, by: DeletedBy.pipe(Schema.withDecodingDefaultKey(Effect.succeed("owner" as const))) },
  TranscriptionStarted: { ...subject },
  TranscriptionReady: { ...subject, assets: TranscriptAssets },
  TranscriptionFailed: { ...subject, reason: TranscriptionFailure }
})
export type RecordingEvent = typeof RecordingEvent.Type

/** The category of recording streams: a recording's events are in `recording-<session id>`. */
export const RECORDING_CATEGORY = "recording"

export const recordingStream = (id: string): string => `${RECORDING_CATEGORY}-${id}`
