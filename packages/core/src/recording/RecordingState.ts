/**
 * A recording's state, folded from its events. `null` until it starts.
 */
import { Effect, Schema } from "effect"
import { AccountId, AppId, LivestreamId, MediaNodeId, SessionId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import {
  RecordingAssets,
  RecordingFailure,
  StorageOfReady,
  TranscriptAssets,
  TranscriptionFailure
} from "./RecordingValues.ts"

/** Where a recording is in its life: the seed-facing status of the recordings API. */
export const RecordingPhase = Schema.TaggedUnion({
  Recording: {},
  Finalising: { since: Timestamp },
  Ready: { assets: RecordingAssets, storage: StorageOfReady },
  Failed: { reason: RecordingFailure }
})
export type RecordingPhase = typeof RecordingPhase.Type

/** Where a recording's transcript is. */
export const TranscriptionPhase = Schema.TaggedUnion({
  Transcribing: { since: Timestamp },
  Transcribed: { assets: TranscriptAssets },
  TranscriptionFailed: { reason: TranscriptionFailure }
})
export type TranscriptionPhase = typeof TranscriptionPhase.Type

export const Recording = Schema.Struct({
  id: SessionId,
  livestreamId: LivestreamId,
  accountId: AccountId,
  appId: AppId,
  /** The media node that records it (and keeps its files until they are stored elsewhere). */
  nodeId: MediaNodeId,
  phase: RecordingPhase,
  /** When it was deleted (its files with it); null while it is kept. */
  deletedAt: Schema.NullOr(Timestamp),
  startedAt: Timestamp,
  /** When its session ended and it began finalising; null while recording. */
  stoppedAt: Schema.NullOr(Timestamp).pipe(Schema.withDecodingDefaultKey(Effect.succeed(null))),
  /** Whether its app wanted it transcribed when it was finalised. */
  transcribe: Schema.Boolean.pipe(Schema.withDecodingDefaultKey(Effect.succeed(false))),
  /** Its transcript's progress; null until one begins. */
  transcription: Schema.NullOr(TranscriptionPhase).pipe(Schema.withDecodingDefaultKey(Effect.succeed(null))),
  updatedAt: Timestamp
})
export type Recording = typeof Recording.Type

export const RecordingState = Schema.NullOr(Recording)
export type RecordingState = typeof RecordingState.Type

/** Whether the recording is still being written or joined: not yet ready or failed. */
export const isUnsettled = (recording: Recording): boolean =>
  recording.phase._tag === "Recording" || recording.phase._tag === "Finalising"

/** Failed only because storage was unreachable: its node keeps the files and tries the upload again. */
export const awaitsUpload = (recording: Recording): boolean =>
  recording.deletedAt === null && recording.phase._tag === "Failed" && recording.phase.reason === "storage unreachable"
