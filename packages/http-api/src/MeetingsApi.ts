/**
 * Meetings, as far as the livestream endpoints need them (create, get, list, in the API family's
 * shapes), and seed 001's meeting livestream endpoints: start, stop, and the active livestream.
 */
import {
  LivestreamName,
  LivestreamRecord,
  MeetingId,
  MeetingLivestreamStartedRecord,
  MeetingRecord,
  MeetingTitle,
  MeetingUrl
} from "@onair/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { BadRequest, Conflict, NotFound, Ok, Paging, Unavailable } from "./Envelope.ts"
import { MAX_PER_PAGE } from "./LivestreamsApi.ts"
import { BASE, IdempotencyHeaders, ScopeParams } from "./Scope.ts"
import { Authorization } from "./Security.ts"

const MeetingParams = { ...ScopeParams, meeting_id: MeetingId }

export const CreateMeetingBody = Schema.Struct({
  title: Schema.optional(Schema.NullOr(MeetingTitle)),
  live_stream_on_start: Schema.optional(Schema.Boolean),
  record_on_start: Schema.optional(Schema.Boolean)
})

/** Seed 001's `video_config`: each side in pixels, each optional (one makes the other 16:9; neither is 1280x720). */
export const VideoConfigBody = Schema.Struct({
  width: Schema.optional(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 16, maximum: 7680 })))),
  height: Schema.optional(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 16, maximum: 4320 }))))
})

export const StartMeetingLivestreamBody = Schema.Struct({
  name: Schema.optional(Schema.NullOr(LivestreamName)),
  video_config: Schema.optional(VideoConfigBody),
  /** OnAir's own: the page its composer opens (else the app's `meeting_url_template`, if any). */
  meeting_url: Schema.optional(MeetingUrl)
})

export const MeetingPage = Schema.Struct({ paging: Paging, meetings: Schema.Array(MeetingRecord) })

export class MeetingsApi extends HttpApiGroup.make("meetings")
  .add(
    HttpApiEndpoint.post("createMeeting", `${BASE}/meetings`, {
      params: ScopeParams,
      headers: IdempotencyHeaders,
      payload: CreateMeetingBody,
      success: Ok(MeetingRecord).pipe(HttpApiSchema.status(201)),
      error: [BadRequest, NotFound, Conflict]
    }),
    HttpApiEndpoint.get("getMeetings", `${BASE}/meetings`, {
      params: ScopeParams,
      query: {
        page_no: Schema.optional(Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1)))),
        per_page: Schema.optional(
          Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: MAX_PER_PAGE })))
        )
      },
      success: Ok(MeetingPage),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.get("getMeeting", `${BASE}/meetings/:meeting_id`, {
      params: MeetingParams,
      success: Ok(MeetingRecord),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.post("startLivestreamingAMeeting", `${BASE}/meetings/:meeting_id/livestreams`, {
      params: MeetingParams,
      headers: IdempotencyHeaders,
      payload: StartMeetingLivestreamBody,
      success: Ok(MeetingLivestreamStartedRecord).pipe(HttpApiSchema.status(201)),
      error: [BadRequest, NotFound, Conflict, Unavailable]
    }),
    HttpApiEndpoint.post("stopLivestreamingAMeeting", `${BASE}/meetings/:meeting_id/active-livestream/stop`, {
      params: MeetingParams,
      success: Ok(Schema.Struct({ message: Schema.String })),
      error: [BadRequest, NotFound, Conflict]
    }),
    HttpApiEndpoint.get("getMeetingActiveLivestreams", `${BASE}/meetings/:meeting_id/active-livestream`, {
      params: MeetingParams,
      success: Ok(LivestreamRecord),
      error: [BadRequest, NotFound]
    })
  )
  .middleware(Authorization)
  .annotateMerge(
    OpenApi.annotations({ title: "Meetings", description: "Meetings and their livestreams (seed 001)" })
  ) {}
