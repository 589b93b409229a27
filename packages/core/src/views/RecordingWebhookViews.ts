/**
 * The webhook seed's recording events (seed 004) for a recording's changes:
 *
 * - ready: `recording.success` (the MP4: `recording_path`, `recording_presigned_url`, `size`, `duration`)
 *   and `hls.recording.success` (the VOD playlist: `hls_vod_recording_path`,
 *   `hls_vod_recording_presigned_url`, `hls_vod_recording_size`, `duration`, the poster as its thumbnail),
 *   and for a composed meeting `beam.recording.success` (its beam's recording: the MP4, its size);
 * - failed: `recording.failed` with the seed's `error` and `error_type` and OnAir's `onair_reason`;
 * - its transcript: `transcription.started.success`, then `transcription.success` (the txt, srt and json
 *   files' paths and signed URLs) or `transcription.failure` (with the reason); `transcription_id` and
 *   the asset ids are the recording's id (one transcript per recording).
 *
 * `recording_id` is the recording's id (its session's). Paths name where the files are stored
 * (`s3://bucket/key`, or `node://<media node>/<path>` on a node's disk); URLs are signed and valid for
 * 24 hours from the event, as the seed's presigned URLs are, so a replay of the log signs the same URLs.
 */
import type { LivestreamId, SessionId } from "../Ids.ts"
import type { Livestream } from "../livestream/LivestreamState.ts"
import type { RecordingEvent } from "../recording/RecordingEvent.ts"
import type { Recording } from "../recording/RecordingState.ts"
import type { RecordingAssets, RecordingFailure, RecordingStorage } from "../recording/RecordingValues.ts"
import type { Session } from "../session/SessionState.ts"
import type { Timestamp } from "../Time.ts"
import { composerFields } from "./ComposerWebhookViews.ts"
import { seedTime } from "./SeedTime.ts"
import { livestreamMessage, type WebhookMessage } from "./WebhookViews.ts"

/** How long a webhook's signed URLs stay valid: the seed's 24 hours. */
export const WEBHOOK_LINK_MILLIS = 24 * 60 * 60 * 1000

/** The state recording messages read, as of just after the change. */
export interface RecordingWebhookWorld {
  readonly livestream: (id: LivestreamId) => Livestream | undefined
  readonly session: (id: SessionId) => Session | undefined
  /** A signed URL of the recording's file (a path under its folder) that is valid until `expiresAt`. */
  readonly signedUrl: (recordingId: SessionId, file: string, expiresAt: Timestamp) => string
}

/** A file's path under its recording's folder (`recording.mp4`, `vod/index.m3u8`, `poster.jpg`). */
export const recordingFile = (recordingId: string, assetPath: string): string => {
  const folder = `recordings/${recordingId}/`
  return assetPath.startsWith(folder) ? assetPath.slice(folder.length) : assetPath
}

/** Where a stored asset is: `s3://bucket/<prefix><path>`, or `node://<node>/<path>` on its node's disk. */
export const storedLocation = (recording: Recording, storage: RecordingStorage, assetPath: string): string =>
  storage._tag === "S3"
    ? `s3://${storage.bucket}/${storage.keyPrefix}${assetPath}`
    : `node://${recording.nodeId}/${assetPath}`

/** A beam's fields as its recording's event lists them (no `job_id`). */
const beamRecordingFields = ({ job_id: _, ...fields }: ReturnType<typeof composerFields>) => fields

/** OnAir records no chat: the seed's chat recording fields are null. */
const NO_CHAT = { chat_recording_path: null, chat_recording_presigned_url: null }

/** The seed's `error_type` for each failure reason, and its `error` message. */
const FAILURE_TYPES: { readonly [R in RecordingFailure]: readonly [string, string] } = {
  "no media": ["INPUT_ERROR", "No input streams available to create recording"],
  "storage unreachable": [
    "CLOUD_ACCESS_ERROR",
    "Error accessing cloud bucket. Please make sure upload config is correct"
  ],
  "disk full": ["MEMORY_ERROR", "INTERNAL_ERROR"],
  "finalise failed": ["PROCESSING_CMD_ERROR", "INTERNAL_ERROR"],
  // The recorder went with its node: its processing never finished.
  "media node lost": ["PROCESSING_CMD_ERROR", "INTERNAL_ERROR"]
}

const sessionTimes = (session: Session | undefined, at: Timestamp) => ({
  session_started_at: seedTime(session?.startedAt ?? at),
  session_stopped_at: seedTime(session?.stoppedAt ?? at)
})

const ready = (
  world: RecordingWebhookWorld,
  livestream: Livestream,
  recording: Recording,
  assets: RecordingAssets,
  storage: RecordingStorage,
  at: Timestamp
): ReadonlyArray<WebhookMessage> => {
  const session = world.session(recording.id)
  const expiresAt = (at + WEBHOOK_LINK_MILLIS) as Timestamp
  const link = (assetPath: string) => ({
    path: storedLocation(recording, storage, assetPath),
    url: world.signedUrl(recording.id, recordingFile(recording.id, assetPath), expiresAt)
  })
  const mp4 = link(assets.mp4Path)
  const vod = link(assets.vodPath)
  const poster = link(assets.posterPath)
  const duration = Math.round(assets.durationSeconds)
  const ids = { session_id: recording.id, stream_id: recording.id, recording_id: recording.id, duration }
  const times = sessionTimes(session, at)
  return [
    livestreamMessage(livestream, "recording.success", at, {
      ...ids,
      room_name: livestream.name ?? "",
      recording_path: mp4.path,
      recording_presigned_url: mp4.url,
      location: mp4.path,
      URL: mp4.url,
      ...NO_CHAT,
      size: assets.size,
      ...times
    }),
    livestreamMessage(livestream, "hls.recording.success", at, {
      ...ids,
      beam_id: livestream.composer === null ? null : livestream.id,
      meeting_url: livestream.composer?.meetingUrl ?? null,
      ...NO_CHAT,
      hls_vod_recording_path: vod.path,
      hls_vod_recording_presigned_url: vod.url,
      recording_hls_vod_playlist_location: vod.url,
      hls_vod_recording_size: assets.vodSize,
      max_width: assets.width,
      max_height: assets.height,
      recording_single_files: [
        {
          asset_id: `${recording.id}:mp4`,
          layer: "0",
          recording_path: mp4.path,
          recording_presigned_url: mp4.url,
          size: assets.size,
          width: assets.width,
          height: assets.height
        }
      ],
      recording_thumbnails: [
        { width: assets.width, height: assets.height, offset: 1, location: poster.path, url: poster.url }
      ],
      recording_created_at: seedTime(at),
      started_at: times.session_started_at,
      stopped_at: times.session_stopped_at,
      session_started_at: times.session_started_at
    }),
    ...(livestream.composer === null
      ? []
      : [
          // A composed meeting's recording is its beam's: the seed's `beam.recording.success` too.
          livestreamMessage(livestream, "beam.recording.success", at, {
            ...beamRecordingFields(composerFields(livestream, livestream.composer, recording.id)),
            recording_id: recording.id,
            created_at: seedTime(at),
            duration,
            recording_path: mp4.path,
            recording_presigned_url: mp4.url,
            location: mp4.url,
            ...NO_CHAT,
            started_at: times.session_started_at,
            stopped_at: times.session_stopped_at,
            session_started_at: times.session_started_at,
            size: assets.size
          })
        ])
  ]
}

/** The webhook events one change of a recording means, `recording` being its state after it. */
export const recordingMessages = (
  recording: Recording,
  event: RecordingEvent,
  world: RecordingWebhookWorld
): ReadonlyArray<WebhookMessage> => {
  const livestream = world.livestream(recording.livestreamId)
  if (livestream === undefined) return []
  switch (event._tag) {
    case "RecordingReady":
      return ready(world, livestream, recording, event.assets, event.storage, event.at)
    case "RecordingFailed": {
      const [errorType, error] = FAILURE_TYPES[event.reason]
      return [
        livestreamMessage(livestream, "recording.failed", event.at, {
          session_id: recording.id,
          stream_id: recording.id,
          recording_id: recording.id,
          room_name: livestream.name ?? "",
          error,
          error_type: errorType,
          onair_reason: event.reason,
          ...sessionTimes(world.session(recording.id), event.at)
        })
      ]
    }
    case "TranscriptionStarted":
    case "TranscriptionReady":
    case "TranscriptionFailed":
      return transcription(world, livestream, recording, event)
    default:
      return []
  }
}

const transcription = (
  world: RecordingWebhookWorld,
  livestream: Livestream,
  recording: Recording,
  event: Extract<
    RecordingEvent,
    { readonly _tag: "TranscriptionStarted" | "TranscriptionReady" | "TranscriptionFailed" }
  >
): ReadonlyArray<WebhookMessage> => {
  const ready = recording.phase._tag === "Ready" ? recording.phase : null
  const ids = {
    session_id: recording.id,
    recording_id: recording.id,
    transcription_id: recording.id,
    room_name: livestream.name ?? "",
    duration: ready === null ? 0 : Math.round(ready.assets.durationSeconds),
    transcript_txt_asset_id: `${recording.id}:txt`,
    transcript_srt_asset_id: `${recording.id}:srt`,
    transcript_json_asset_id: `${recording.id}:json`,
    // OnAir transcribes; it does not summarise.
    summary_json_asset_id: null
  }
  const noSummary = { summary_json_path: null, summary_json_presigned_url: null }
  switch (event._tag) {
    case "TranscriptionStarted":
      return [livestreamMessage(livestream, "transcription.started.success", event.at, ids)]
    case "TranscriptionFailed":
      return [
        livestreamMessage(livestream, "transcription.failure", event.at, {
          ...ids,
          ...noSummary,
          // What was made before the failure is not kept.
          transcript_txt_path: null,
          transcript_txt_presigned_url: null,
          transcript_srt_path: null,
          transcript_srt_presigned_url: null,
          transcript_json_path: null,
          transcript_json_presigned_url: null,
          onair_reason: event.reason
        })
      ]
    case "TranscriptionReady": {
      const storage = ready?.storage ?? { _tag: "Local" as const }
      const expiresAt = (event.at + WEBHOOK_LINK_MILLIS) as Timestamp
      const asset = (kind: "txt" | "srt" | "json", path: string) => ({
        [`transcript_${kind}_path`]: storedLocation(recording, storage, path),
        [`transcript_${kind}_presigned_url`]: world.signedUrl(
          recording.id,
          recordingFile(recording.id, path),
          expiresAt
        )
      })
      return [
        livestreamMessage(livestream, "transcription.success", event.at, {
          ...ids,
          ...noSummary,
          ...asset("txt", event.assets.txtPath),
          ...asset("srt", event.assets.srtPath),
          ...asset("json", event.assets.jsonPath),
          engine: event.assets.engine,
          words: event.assets.words
        })
      ]
    }
  }
}
