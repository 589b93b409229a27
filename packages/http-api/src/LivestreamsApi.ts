/**
 * Livestream endpoints of seeds 001/002, at their exact paths and with their parameters.
 *
 * List and detail answer the seed's documented `data` object (one record's fields at the top level, with
 * `paging`), and add the whole page as an array (`livestreams`, `sessions`): a client typed from the seed
 * keeps working and one that knows OnAir reads every item (ADR 0004).
 */
import {
  ActiveSessionRecord,
  DvrWindowSeconds,
  KeyGraceSeconds,
  LatencyMode,
  LivestreamId,
  LivestreamName,
  LivestreamStatus,
  MediaNodeId,
  MediaNodeRegion,
  ReconnectWindowSeconds,
  RenditionLadder,
  SessionId
} from "@onair/core"
import {
  CreatedLivestreamRecord,
  IngestSessionStatusRecord,
  LiveEventStatusRecord,
  LivestreamRecord,
  SessionRecord
} from "@onair/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { BadRequest, Conflict, NotFound, Ok, Paging } from "./Envelope.ts"
import { BASE, IdempotencyHeaders, ScopeParams } from "./Scope.ts"
import { Authorization } from "./Security.ts"

export const MAX_PER_PAGE = 100

export const PageNo = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1)))
export const PerPage = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: MAX_PER_PAGE })))
/**
 * A time parameter: ISO-8601 (`2026-11-27T12:00:00Z`, or a day) or Unix seconds (`1795780800`), as the
 * current RealtimeKit clients send them.
 */
export const IsoTime = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(
      /^(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?|\d{1,12}(\.\d{1,3})?)$/
    )
  )
).annotate({ description: "ISO-8601 (2026-11-27T12:00:00Z) or Unix seconds (1795780800)" })

export const ListLivestreamsQuery = {
  page_no: Schema.optional(PageNo),
  per_page: Schema.optional(PerPage),
  sort_order: Schema.optional(Schema.Literals(["ASC", "DSC"])),
  status: Schema.optional(LivestreamStatus),
  start_time: Schema.optional(IsoTime),
  end_time: Schema.optional(IsoTime),
  exclude_meetings: Schema.optional(Schema.Literals(["true", "false"])),
  /** OnAir's extension: livestreams whose name contains it (case-insensitive), or whose ID it is. */
  search: Schema.optional(Schema.String.pipe(Schema.check(Schema.isMaxLength(255))))
}

export const LivestreamPage = Schema.Struct({
  ...LivestreamRecord.fields,
  paging: Paging,
  livestreams: Schema.Array(LivestreamRecord)
})

/** A page with no livestreams has no first record to show. */
export const EmptyLivestreamPage = Schema.Struct({ paging: Paging, livestreams: Schema.Array(LivestreamRecord) })

/**
 * OnAir's placement extension of create and PATCH: pin the livestream's publishers to one media node, or
 * to the nodes of a region (null: any node). `ingest_server` then names a node that may take it.
 */
const PlacementFields = {
  media_node: Schema.optional(Schema.NullOr(MediaNodeId)),
  region: Schema.optional(Schema.NullOr(MediaNodeRegion))
}

/**
 * OnAir's extensions: whether each session is recorded (default true), the adaptive ladder its viewers get
 * (default `[]`: the source alone), and how far behind they watch (default `standard`), and how far back
 * they may seek (default 0: off); both from the next broadcast when changed.
 */
const RecordField = {
  record: Schema.optional(Schema.Boolean),
  renditions: Schema.optional(RenditionLadder),
  latency_mode: Schema.optional(LatencyMode),
  dvr_window_seconds: Schema.optional(DvrWindowSeconds)
}

export const CreateLivestreamBody = Schema.Struct({
  name: Schema.optional(Schema.NullOr(LivestreamName)),
  ...PlacementFields,
  ...RecordField
})

/** Samples a health history answers at most (the default); longer sessions are thinned evenly. */
export const MAX_HEALTH_SAMPLES = 1000
const HealthLimit = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: MAX_HEALTH_SAMPLES })))

/** One sample of a publisher's health. */
export const HealthSampleRecord = Schema.Struct({
  sampled_at: Schema.String,
  resolution: Schema.String,
  video_bitrate: Schema.Number,
  audio_bitrate: Schema.Number,
  video_fps: Schema.Number,
  keyframe_interval: Schema.NullOr(Schema.Number)
})

export const SessionHealthHistory = Schema.Struct({
  session_id: Schema.String,
  samples: Schema.Array(HealthSampleRecord)
})

export const LivestreamDetail = Schema.Struct({
  livestream: LivestreamRecord,
  paging: Paging,
  session: Schema.optional(SessionRecord),
  sessions: Schema.Array(SessionRecord)
})

export const ActiveLivestreamSession = Schema.Struct({
  livestream: LivestreamRecord,
  session: ActiveSessionRecord
})

/** Change a livestream: any of its name, its reconnect window (0–1800 s) and its placement. */
export const UpdateLivestreamBody = Schema.Struct({
  name: Schema.optional(Schema.NullOr(LivestreamName)),
  reconnect_window_seconds: Schema.optional(ReconnectWindowSeconds),
  ...PlacementFields,
  ...RecordField
})

const LivestreamParams = { ...ScopeParams, livestream_id: LivestreamId }

/** OnAir's own: how long the key being replaced still publishes, up to 24 hours (0, the default: not at all). */
export const RotateStreamKeyQuery = { grace_seconds: Schema.optional(KeyGraceSeconds) }

export class LivestreamsApi extends HttpApiGroup.make("livestreams")
  .add(
    HttpApiEndpoint.post("createIndependentLivestream", `${BASE}/livestreams`, {
      params: ScopeParams,
      headers: IdempotencyHeaders,
      payload: CreateLivestreamBody,
      success: Ok(CreatedLivestreamRecord).pipe(HttpApiSchema.status(201)),
      error: [BadRequest, NotFound, Conflict]
    }),
    HttpApiEndpoint.get("getAllLivestreams", `${BASE}/livestreams`, {
      params: ScopeParams,
      query: ListLivestreamsQuery,
      success: Ok(Schema.Union([LivestreamPage, EmptyLivestreamPage])),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.get("getLivestreamSessionDetailsForSessionId", `${BASE}/livestreams/sessions/:session_id`, {
      params: { ...ScopeParams, session_id: SessionId },
      success: Ok(SessionRecord),
      error: [BadRequest, NotFound]
    }),
    /** OnAir's extension: the session's sampled health over time (what the dashboard charts). */
    HttpApiEndpoint.get("getLivestreamSessionHealth", `${BASE}/livestreams/sessions/:session_id/health`, {
      params: { ...ScopeParams, session_id: SessionId },
      query: { limit: Schema.optional(HealthLimit) },
      success: Ok(SessionHealthHistory),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.get(
      "getActiveLivestreamsForLivestreamId",
      `${BASE}/livestreams/:livestream_id/active-livestream-session`,
      {
        params: { ...ScopeParams, livestream_id: LivestreamId },
        success: Ok(ActiveLivestreamSession),
        error: [BadRequest, NotFound]
      }
    ),
    HttpApiEndpoint.get("getLivestreamSessionForLivestreamId", `${BASE}/livestreams/:livestream_id`, {
      params: { ...ScopeParams, livestream_id: LivestreamId },
      query: { page_no: Schema.optional(PageNo), per_page: Schema.optional(PerPage) },
      success: Ok(LivestreamDetail),
      error: [BadRequest, NotFound]
    })
  )
  // Beyond the seeds, in their envelope: managing a livestream (ADR 0004).
  .add(
    HttpApiEndpoint.patch("updateLivestream", `${BASE}/livestreams/:livestream_id`, {
      params: LivestreamParams,
      payload: UpdateLivestreamBody,
      success: Ok(LivestreamRecord),
      error: [BadRequest, NotFound, Conflict]
    }),
    HttpApiEndpoint.post("disableLivestream", `${BASE}/livestreams/:livestream_id/disable`, {
      params: LivestreamParams,
      success: Ok(LivestreamRecord),
      error: [BadRequest, NotFound, Conflict]
    }),
    HttpApiEndpoint.post("enableLivestream", `${BASE}/livestreams/:livestream_id/enable`, {
      params: LivestreamParams,
      success: Ok(LivestreamRecord),
      error: [BadRequest, NotFound, Conflict]
    }),
    HttpApiEndpoint.post("rotateStreamKey", `${BASE}/livestreams/:livestream_id/rotate-stream-key`, {
      params: LivestreamParams,
      // A query parameter, not a body: today's clients send none, and a body would become required of them.
      query: RotateStreamKeyQuery,
      success: Ok(LivestreamRecord),
      error: [BadRequest, NotFound, Conflict]
    }),
    // Seed 003's live-event status, its body as the seed has it (no envelope).
    HttpApiEndpoint.post("getStatus", `${BASE}/livestreams/:livestream_id/getStatus`, {
      params: LivestreamParams,
      success: LiveEventStatusRecord,
      error: [BadRequest, NotFound]
    }),
    // Seed 000's ingest session status, in the envelope.
    HttpApiEndpoint.get("getIngest", `${BASE}/livestreams/:livestream_id/ingest`, {
      params: LivestreamParams,
      success: Ok(IngestSessionStatusRecord),
      error: [BadRequest, NotFound]
    }),
    // The live session's newest frame: a redirect to the JPEG its media node serves beside its playback.
    HttpApiEndpoint.get("getLivestreamThumbnail", `${BASE}/livestreams/:livestream_id/thumbnail.jpg`, {
      params: LivestreamParams,
      success: HttpApiSchema.Empty(302),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.delete("deleteLivestream", `${BASE}/livestreams/:livestream_id`, {
      params: LivestreamParams,
      success: Ok(Schema.Struct({ message: Schema.String })),
      error: [BadRequest, NotFound, Conflict]
    })
  )
  .middleware(Authorization)
  .annotateMerge(OpenApi.annotations({ title: "Livestreams", description: "Seeds 001/002" })) {}
