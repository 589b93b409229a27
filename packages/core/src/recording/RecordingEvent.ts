/**
 * Events of a recording's stream (`recording-<session id>`).
 */
import { Schema } from "effect"
import { AccountId, AppId, LivestreamId, MediaNodeId, SessionId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { RecordingAssets, RecordingFailure, StorageOfReady } from "./RecordingValues.ts"

const subject = { recordingId: SessionId, at: Timestamp }

export const RecordingEvent = Schema.TaggedUnion({
  RecordingStarted: { ...subject, livestreamId: LivestreamId, accountId: AccountId, appId: AppId, nodeId: MediaNodeId },
  RecordingFinalising: { ...subject },
  RecordingReady: { ...subject, assets: RecordingAssets, storage: StorageOfReady },
  RecordingFailed: { ...subject, reason: RecordingFailure },
  RecordingDeleted: { ...subject }
})
export type RecordingEvent = typeof RecordingEvent.Type

/** The category of recording streams: a recording's events are in `recording-<session id>`. */
export const RECORDING_CATEGORY = "recording"

export const recordingStream = (id: string): string => `${RECORDING_CATEGORY}-${id}`
