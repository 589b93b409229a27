/** A recording as the API shows it, with links signed until `linksExpireAt`. */
import { recordingFile, type Recording, toIso } from "@onair/core"
import type { RecordingRecord } from "@onair/http-api"

const STATUS = { Recording: "RECORDING", Finalising: "UPLOADING", Ready: "UPLOADED", Failed: "ERRORED" } as const
const PHASE = { Recording: "recording", Finalising: "finalising", Ready: "ready", Failed: "failed" } as const

const PHASE_OF_STATUS = {
  RECORDING: "Recording",
  UPLOADING: "Finalising",
  UPLOADED: "Ready",
  ERRORED: "Failed"
} as const

/** The RealtimeKit status a list asks for, as the phase it means. */
export const phaseOfStatus = (status: keyof typeof PHASE_OF_STATUS) => PHASE_OF_STATUS[status]

const transcriptRecord = (recording: Recording, linkTo: (path: string | undefined) => string | null) => {
  const transcription = recording.transcription
  if (transcription === null) return null
  const assets = transcription._tag === "Transcribed" ? transcription.assets : null
  return {
    status:
      transcription._tag === "Transcribing"
        ? ("transcribing" as const)
        : assets !== null
          ? ("ready" as const)
          : ("failed" as const),
    failure_reason: transcription._tag === "TranscriptionFailed" ? transcription.reason : null,
    engine: assets?.engine ?? null,
    words: assets?.words ?? null,
    txt_url: linkTo(assets?.txtPath),
    srt_url: linkTo(assets?.srtPath),
    json_url: linkTo(assets?.jsonPath)
  }
}

export const recordingRecord = (
  recording: Recording,
  link: (recordingId: string, file: string, expiresAt: number) => string,
  linksExpireAt: number
): typeof RecordingRecord.Type => {
  const ready = recording.phase._tag === "Ready" ? recording.phase : null
  const assets = ready?.assets ?? null
  const linkTo = (path: string | undefined) =>
    path === undefined ? null : link(recording.id, recordingFile(recording.id, path), linksExpireAt)
  return {
    id: recording.id,
    livestream_id: recording.livestreamId,
    session_id: recording.id,
    status: STATUS[recording.phase._tag],
    phase: PHASE[recording.phase._tag],
    failure_reason: recording.phase._tag === "Failed" ? recording.phase.reason : null,
    started_at: toIso(recording.startedAt),
    updated_at: toIso(recording.updatedAt),
    invoked_time: toIso(recording.startedAt),
    started_time: toIso(recording.startedAt),
    stopped_time: recording.stoppedAt === null ? null : toIso(recording.stoppedAt),
    duration: assets?.durationSeconds ?? null,
    recording_duration: assets === null ? null : Math.round(assets.durationSeconds),
    size: assets?.size ?? null,
    file_size: assets?.size ?? null,
    output_file_name: assets === null ? null : recordingFile(recording.id, assets.mp4Path),
    resolution: assets === null ? null : `${assets.width}x${assets.height}`,
    video_codec: assets?.videoCodec ?? null,
    audio_codec: assets?.audioCodec ?? null,
    sha256: assets?.sha256 ?? null,
    storage: ready === null ? null : ready.storage._tag === "S3" ? "s3" : "local",
    download_url: linkTo(assets?.mp4Path),
    playback_url: linkTo(assets?.vodPath),
    poster_url: linkTo(assets?.posterPath),
    download_url_expiry: assets === null ? null : new Date(linksExpireAt).toISOString(),
    audio_download_url: null,
    transcript: transcriptRecord(recording, linkTo)
  }
}
