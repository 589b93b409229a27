/**
 * The shapes of the seeds' records, field for field, as schemas. Views build these; tests decode every
 * view of every reachable state with them. Field names and enum values are the seeds'; where the seeds
 * contradict themselves the choice is recorded in docs/adr/0002-seed-quirks.md.
 */
import { Schema } from "effect"
import { IngestProtocol, RenditionsRefusal } from "../ingest/IngestValues.ts"
import { DvrWindowSeconds, LatencyMode, LivestreamStatus } from "../livestream/LivestreamValues.ts"

const Uuid = Schema.String.pipe(Schema.check(Schema.isUUID()))
/** ISO-8601 UTC with milliseconds: `2023-07-15T11:48:34.753Z`. */
export const IsoDateTime = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/))
)
const WholeSeconds = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))
const WholeSecondsString = Schema.String.pipe(Schema.check(Schema.isPattern(/^\d+$/)))

/** Seed 001/002 `disabled` in list/get/active: a string, `"disabled"` or `""` (see ADR 0002). */
export const DisabledString = Schema.Literals(["disabled", ""])

/** A composed meeting livestream's composer: what it opens, at what size, and what it does now. */
export const ComposerRecord = Schema.Struct({
  meeting_url: Schema.String,
  width: Schema.Int,
  height: Schema.Int,
  /** `starting` (its page loading), `running` (publishing), `reconnecting` (starting again), `stopped`. */
  state: Schema.Literals(["starting", "running", "reconnecting", "stopped"])
})
export type ComposerRecord = typeof ComposerRecord.Type

/** The livestream as list, get, and meeting-active answer it. */
export const LivestreamRecord = Schema.Struct({
  id: Uuid,
  created_at: IsoDateTime,
  disabled: DisabledString,
  ingest_server: Schema.String,
  meeting_id: Schema.NullOr(Uuid),
  name: Schema.NullOr(Schema.String),
  playback_url: Schema.String,
  status: LivestreamStatus,
  stream_key: Schema.String,
  updated_at: IsoDateTime,
  /** OnAir's own (absent from the seed's examples): how the livestream's viewers watch. */
  latency_mode: Schema.optionalKey(LatencyMode),
  /** OnAir's own (absent from the seed's examples): how far back its players may seek, 0 for off. */
  dvr_window_seconds: Schema.optionalKey(DvrWindowSeconds),
  /** OnAir's own, present when `latency_mode` is `realtime`: where players send a WHEP offer. */
  whep_url: Schema.optionalKey(Schema.String),
  /** OnAir's own, present for a meeting livestream its composer publishes: the page, size and state. */
  composer: Schema.optionalKey(ComposerRecord),
  /**
   * OnAir's own: until when the key the last rotation replaced still publishes (`grace_seconds`), null when
   * it stopped at once.
   */
  previous_key_expires_at: Schema.optionalKey(Schema.NullOr(IsoDateTime))
})
export type LivestreamRecord = typeof LivestreamRecord.Type

/** Create-an-independent-livestream's `data`: `disabled` is a boolean here. */
export const CreatedLivestreamRecord = Schema.Struct({
  id: Uuid,
  disabled: Schema.Boolean,
  ingest_server: Schema.String,
  meeting_id: Schema.NullOr(Uuid),
  name: Schema.NullOr(Schema.String),
  playback_url: Schema.String,
  status: LivestreamStatus,
  stream_key: Schema.String,
  /** OnAir's own (absent from the seed's examples): how the livestream's viewers watch. */
  latency_mode: Schema.optionalKey(LatencyMode),
  /** OnAir's own (absent from the seed's examples): how far back its players may seek, 0 for off. */
  dvr_window_seconds: Schema.optionalKey(DvrWindowSeconds),
  /** OnAir's own, present when `latency_mode` is `realtime`: where players send a WHEP offer. */
  whep_url: Schema.optionalKey(Schema.String)
})
export type CreatedLivestreamRecord = typeof CreatedLivestreamRecord.Type

/** Start-livestreaming-a-meeting's `data`. */
export const MeetingLivestreamStartedRecord = Schema.Struct({
  id: Uuid,
  ingest_server: Schema.String,
  playback_url: Schema.String,
  status: LivestreamStatus,
  stream_key: Schema.String
})
export type MeetingLivestreamStartedRecord = typeof MeetingLivestreamStartedRecord.Type

/** A session as the livestream-detail and session-detail endpoints answer it (seconds as numbers). */
export const SessionRecord = Schema.Struct({
  id: Uuid,
  created_at: IsoDateTime,
  err_message: Schema.NullOr(Schema.String),
  ingest_seconds: WholeSeconds,
  invoked_time: IsoDateTime,
  livestream_id: Uuid,
  started_time: Schema.NullOr(IsoDateTime),
  stopped_time: Schema.NullOr(IsoDateTime),
  updated_at: IsoDateTime,
  viewer_seconds: WholeSeconds
})
export type SessionRecord = typeof SessionRecord.Type

/** The active-livestream-session endpoint's session: its model types the seconds as strings. */
export const ActiveSessionRecord = Schema.Struct({
  ...SessionRecord.fields,
  ingest_seconds: WholeSecondsString,
  viewer_seconds: WholeSecondsString
})
export type ActiveSessionRecord = typeof ActiveSessionRecord.Type

/** Overall analytics `data`. */
export const OverallAnalyticsRecord = Schema.Struct({
  count: WholeSeconds,
  total_ingest_seconds: WholeSeconds,
  total_viewer_seconds: WholeSeconds
})
export type OverallAnalyticsRecord = typeof OverallAnalyticsRecord.Type

const Day = Schema.String.pipe(Schema.check(Schema.isPattern(/^\d{4}-\d{2}-\d{2}$/)))
const Minutes = Schema.Finite.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))

/** Day-wise analytics `data`. */
export const DayWiseAnalyticsRecord = Schema.Struct({
  recording_stats: Schema.Struct({
    day_stats: Schema.Array(
      Schema.Struct({ day: Day, total_recording_minutes: WholeSeconds, total_recordings: WholeSeconds })
    ),
    recording_count: WholeSeconds,
    recording_minutes_consumed: Minutes
  }),
  session_stats: Schema.Struct({
    day_stats: Schema.Array(Schema.Struct({ day: Day, total_session_minutes: Minutes, total_sessions: WholeSeconds })),
    sessions_count: WholeSeconds,
    sessions_minutes_consumed: Minutes
  })
})
export type DayWiseAnalyticsRecord = typeof DayWiseAnalyticsRecord.Type

/** Seed 000: the ingest of a live event session. */
export const IngestSessionStatusRecord = Schema.Struct({
  encoderType: Schema.Literals(["dash", "rtmp", "simple_live", "studio_cloud", "unknown", "webrtc"]),
  endTime: Schema.NullOr(Schema.Finite),
  height: Schema.NullOr(Schema.Finite),
  isRtmpSession: Schema.Boolean,
  isScheduledPlayback: Schema.Boolean,
  rtmpExpiresAt: Schema.NullOr(IsoDateTime),
  rtmpLink: Schema.String,
  rtmpsLink: Schema.String,
  scheduledStartTime: Schema.NullOr(IsoDateTime),
  sessionId: Schema.NullOr(Uuid),
  startTime: Schema.NullOr(Schema.Finite),
  status: Schema.Literals(["0", "1", "2", "3", "4", "5"]),
  streamEndedReason: Schema.NullOr(Schema.Finite),
  streamKey: Schema.String,
  width: Schema.NullOr(Schema.Finite),
  /**
   * OnAir's own: how the session's publisher came in (`rtmp`, `rtmps`, `webrtc`, `srt`), null before one
   * did. `encoderType` keeps to the seed's enum, which has no SRT (`unknown`) and no RTMPS (`rtmp`).
   */
  protocol: Schema.NullOr(IngestProtocol),
  /**
   * OnAir's own: why the session's node passes the source through instead of the livestream's
   * `renditions` ladder (`no cpu budget`); null when it transcodes them, or none were asked for.
   */
  renditionsRefused: Schema.NullOr(RenditionsRefusal)
})
export type IngestSessionStatusRecord = typeof IngestSessionStatusRecord.Type

/** Seed 003: the JSON-encoded ingest details inside `healthDescriptions`. */
export const StreamHealthRecord = Schema.Struct({
  name: Schema.String,
  publishEpochTime: Schema.String.pipe(Schema.check(Schema.isPattern(/^\d+$/))),
  bandwidth: Schema.String.pipe(Schema.check(Schema.isPattern(/^\d+$/))),
  videoResolution: Schema.String.pipe(Schema.check(Schema.isPattern(/^\d+x\d+$/))),
  videoCodecId: Schema.String,
  audioCodecId: Schema.String,
  /** The seed shows `RTMP`; OnAir also says `WebRTC` and `SRT` for publishers that came in so. */
  protocolType: Schema.Literals(["RTMP", "WebRTC", "SRT"]),
  sourceUrl: Schema.Null,
  streamName: Schema.String,
  publisherIp: Schema.String,
  publisherPort: Schema.Int,
  lastSourceConnectionTime: Schema.Int,
  lastSourceDisconnectionTime: Schema.Int,
  sourceConnectionsCount: Schema.Int,
  isSourceOnline: Schema.Boolean,
  isBlocked: Schema.Boolean,
  videoBitrate: Schema.Finite,
  audioBitrate: Schema.Finite,
  videoFps: Schema.Finite,
  lastBitrateUpdate: Schema.Int,
  avgVideoBitrate: Schema.Finite,
  avgAudioBitrate: Schema.Finite,
  avgVideoFps: Schema.Finite
})
export type StreamHealthRecord = typeof StreamHealthRecord.Type

/** The one health description that is not JSON. */
export const MANIFEST_NOT_AVAILABLE = "Live manifest is not available."

/**
 * Seed 003's `healthDescriptions`, one of its four documented forms: empty (no encoder), the
 * manifest-not-ready sentence, one JSON object (passthrough, playable), or that object and a JSON array
 * of renditions (ABR, playable).
 */
export const HealthDescriptions = Schema.Union([
  Schema.Tuple([]),
  Schema.Tuple([Schema.Literal(MANIFEST_NOT_AVAILABLE)]),
  Schema.Tuple([Schema.fromJsonString(StreamHealthRecord)]),
  Schema.Tuple([Schema.fromJsonString(StreamHealthRecord), Schema.fromJsonString(Schema.Array(StreamHealthRecord))])
])

/** Seed 003: the `getStatus` body. */
export const LiveEventStatusRecord = Schema.Struct({
  value: Schema.Tuple([
    Schema.Struct({
      state: Schema.Literals(["Stopped", "Running"]),
      extendedState: Schema.Literals(["Starting", "Running", "Stopping", "Stopped"]),
      healthDescriptions: Schema.Array(Schema.String)
    })
  ])
})
export type LiveEventStatusRecord = typeof LiveEventStatusRecord.Type

/**
 * A meeting as the same API family answers it (create, get, list meetings): the fields the livestream
 * endpoints need.
 */
export const MeetingRecord = Schema.Struct({
  id: Uuid,
  title: Schema.NullOr(Schema.String),
  status: Schema.Literals(["ACTIVE", "INACTIVE"]),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
  live_stream_on_start: Schema.Boolean,
  record_on_start: Schema.Boolean
})
export type MeetingRecord = typeof MeetingRecord.Type
