/**
 * Commands to a recording: one per session (its id is the session's), started with the session's first
 * frame on the media node that holds it, finalised when the session ends, then ready or failed, and
 * deleted by its owner or by retention.
 */
import { Schema } from "effect"
import { AccountId, AppId, LivestreamId, MediaNodeId, SessionId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import {
  DeletedBy,
  RecordingAssets,
  RecordingFailure,
  RecordingStorage,
  TranscriptAssets,
  TranscriptionFailure
} from "./RecordingValues.ts"

const target = { recordingId: SessionId, at: Timestamp }

export const RecordingCommand = Schema.TaggedUnion({
  StartRecording: { ...target, livestreamId: LivestreamId, accountId: AccountId, appId: AppId, nodeId: MediaNodeId },
  /** The session ended: what was recorded is joined into the finished files now. */
  FinaliseRecording: { ...target, transcribe: Schema.Boolean },
  /**
   * Its files are finished and stored. Also completes a recording that failed only because storage was
   * unreachable, once a later upload of the copy its node kept succeeds.
   */
  CompleteRecording: { ...target, assets: RecordingAssets, storage: RecordingStorage },
  FailRecording: { ...target, reason: RecordingFailure },
  DeleteRecording: { ...target, by: DeletedBy },
  /** Its node begins the transcript of a ready recording its app wants transcribed. */
  StartTranscription: { ...target },
  CompleteTranscription: { ...target, assets: TranscriptAssets },
  FailTranscription: { ...target, reason: TranscriptionFailure }
})
export type RecordingCommand = typeof RecordingCommand.Type
