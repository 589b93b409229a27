/** A recording as the API shows it. */
import { type Recording, toIso } from "@onair/core"
import type { RecordingRecord } from "../api/LivestreamsApi.ts"

const STATUS = { Recording: "recording", Finalising: "finalising", Ready: "ready", Failed: "failed" } as const

export const recordingRecord = (recording: Recording): typeof RecordingRecord.Type => {
  const assets = recording.phase._tag === "Ready" ? recording.phase.assets : null
  return {
    id: recording.id,
    livestream_id: recording.livestreamId,
    session_id: recording.id,
    status: STATUS[recording.phase._tag],
    failure_reason: recording.phase._tag === "Failed" ? recording.phase.reason : null,
    started_at: toIso(recording.startedAt),
    updated_at: toIso(recording.updatedAt),
    duration: assets?.durationSeconds ?? null,
    size: assets?.size ?? null,
    resolution: assets === null ? null : `${assets.width}x${assets.height}`,
    video_codec: assets?.videoCodec ?? null,
    audio_codec: assets?.audioCodec ?? null,
    sha256: assets?.sha256 ?? null
  }
}
