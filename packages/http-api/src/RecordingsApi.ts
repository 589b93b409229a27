/**
 * Recordings: one per livestream session (`record` on the livestream), at the RealtimeKit recordings
 * resource's paths (`…/recordings`, `…/recordings/{recording_id}`) and a livestream's own list.
 *
 * A record carries RealtimeKit's fields (`status` in its enum: RECORDING, UPLOADING, UPLOADED, ERRORED;
 * `download_url`, `download_url_expiry`, `file_size`, `invoked_time`, `started_time`, `stopped_time`,
 * `output_file_name`, `recording_duration`) beside OnAir's (`phase`, `failure_reason`, the media facts and
 * the `playback_url` of the HLS VOD and the `poster_url`). Links are signed and valid for an hour.
 */
import { LivestreamId, SessionId } from "@onair/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { BadRequest, Conflict, NotFound, Ok, Paging } from "./Envelope.ts"
import { IsoTime, PageNo, PerPage } from "./LivestreamsApi.ts"
import { BASE, ScopeParams } from "./Scope.ts"
import { Authorization } from "./Security.ts"

const Link = Schema.NullOr(Schema.String)

/** A recording's transcript, when its app wants one. */
export const TranscriptRecord = Schema.Struct({
  status: Schema.Literals(["transcribing", "ready", "failed"]),
  /** Why it failed: no audio, engine failed, engine unreachable, storage unreachable. */
  failure_reason: Schema.NullOr(Schema.String),
  engine: Schema.NullOr(Schema.String),
  words: Schema.NullOr(Schema.Int),
  txt_url: Link,
  srt_url: Link,
  json_url: Link
})

/** A session's recording. */
export const RecordingRecord = Schema.Struct({
  id: Schema.String,
  livestream_id: Schema.String,
  session_id: Schema.String,
  /** RealtimeKit's status: RECORDING, then UPLOADING while it is finalised and stored, then UPLOADED or ERRORED. */
  status: Schema.Literals(["RECORDING", "UPLOADING", "UPLOADED", "ERRORED"]),
  /** OnAir's phase: recording, finalising, ready or failed. */
  phase: Schema.Literals(["recording", "finalising", "ready", "failed"]),
  /** Why it failed: no media, disk full, finalise failed, media node lost, storage unreachable. */
  failure_reason: Schema.NullOr(Schema.String),
  started_at: Schema.String,
  updated_at: Schema.String,
  invoked_time: Schema.String,
  started_time: Schema.String,
  stopped_time: Schema.NullOr(Schema.String),
  /** Seconds of media (to the millisecond); null until ready. */
  duration: Schema.NullOr(Schema.Number),
  /** Whole seconds of media; null until ready. */
  recording_duration: Schema.NullOr(Schema.Int),
  /** Bytes of the MP4; null until ready. */
  size: Schema.NullOr(Schema.Number),
  file_size: Schema.NullOr(Schema.Number),
  output_file_name: Schema.NullOr(Schema.String),
  resolution: Schema.NullOr(Schema.String),
  video_codec: Schema.NullOr(Schema.String),
  audio_codec: Schema.NullOr(Schema.String),
  sha256: Schema.NullOr(Schema.String),
  /** Where the files are: `local` (the media node's disk) or `s3`; null until ready. */
  storage: Schema.NullOr(Schema.Literals(["local", "s3"])),
  /** The MP4 (byte ranges allowed). */
  download_url: Link,
  /** The HLS VOD playlist. */
  playback_url: Link,
  /** The poster JPEG. */
  poster_url: Link,
  /** When the links stop working (ISO 8601). */
  download_url_expiry: Link,
  /** RealtimeKit's separate audio file: OnAir records audio into the MP4, so always null. */
  audio_download_url: Link,
  /** Its transcript; null until one begins (its app's `transcribe_recordings`). */
  transcript: Schema.NullOr(TranscriptRecord)
})

export const RecordingPage = Schema.Struct({ paging: Paging, recordings: Schema.Array(RecordingRecord) })

/** RealtimeKit's list: the records as `data`, `paging` beside it. */
export const RecordingList = Schema.Struct({
  success: Schema.Literal(true),
  data: Schema.Array(RecordingRecord),
  paging: Paging
})

const RecordingParams = { ...ScopeParams, recording_id: SessionId }
const PageQuery = { page_no: Schema.optional(PageNo), per_page: Schema.optional(PerPage) }

export class RecordingsApi extends HttpApiGroup.make("recordings")
  .add(
    HttpApiEndpoint.get("getRecordings", `${BASE}/recordings`, {
      params: ScopeParams,
      query: {
        ...PageQuery,
        livestream_id: Schema.optional(LivestreamId),
        status: Schema.optional(Schema.Literals(["RECORDING", "UPLOADING", "UPLOADED", "ERRORED"])),
        sort_order: Schema.optional(Schema.Literals(["ASC", "DESC"])),
        start_time: Schema.optional(IsoTime),
        end_time: Schema.optional(IsoTime)
      },
      success: RecordingList,
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.get("getLivestreamRecordings", `${BASE}/livestreams/:livestream_id/recordings`, {
      params: { ...ScopeParams, livestream_id: LivestreamId },
      query: PageQuery,
      success: Ok(RecordingPage),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.get("getRecording", `${BASE}/recordings/:recording_id`, {
      params: RecordingParams,
      success: Ok(RecordingRecord),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.delete("deleteRecording", `${BASE}/recordings/:recording_id`, {
      params: RecordingParams,
      success: Ok(Schema.Struct({ message: Schema.String })),
      error: [BadRequest, NotFound, Conflict]
    })
  )
  .middleware(Authorization)
  .annotateMerge(
    OpenApi.annotations({
      title: "Recordings",
      description: "Each session's recording: status, media facts, signed download and playback links, deletion."
    })
  ) {}
