/**
 * Analytics endpoints of seed 001: overall livestream figures for a time range, and day-wise meeting
 * sessions and recordings for a range of days (default: the last 30 days to today, UTC); and the current
 * RealtimeKit clients' day-wise livestream figures (`…/analytics/livestreams/daywise`). Time parameters
 * take ISO-8601 or Unix seconds.
 */
import { DayWiseAnalyticsRecord, OverallAnalyticsRecord } from "@onair/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { BadRequest, NotFound, Ok } from "./Envelope.ts"
import { IsoTime } from "./LivestreamsApi.ts"
import { BASE, ScopeParams } from "./Scope.ts"
import { Authorization } from "./Security.ts"

export const Day = Schema.String.pipe(Schema.check(Schema.isPattern(/^\d{4}-\d{2}-\d{2}$/)))

/** One day of RealtimeKit's day-wise livestream analytics (its SDK's shape). */
export const LivestreamDayRecord = Schema.Struct({
  date: Schema.String,
  count: Schema.Int,
  total_ingest_seconds: Schema.Int,
  total_viewer_seconds: Schema.Int
})

export class AnalyticsApi extends HttpApiGroup.make("analytics")
  .add(
    HttpApiEndpoint.get("getLivestreamAnalyticsComplete", `${BASE}/analytics/livestreams/overall`, {
      params: ScopeParams,
      query: { start_time: Schema.optional(IsoTime), end_time: Schema.optional(IsoTime) },
      success: Ok(OverallAnalyticsRecord),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.get("getLivestreamAnalyticsDaywise", `${BASE}/analytics/livestreams/daywise`, {
      params: ScopeParams,
      query: {
        start_time: Schema.optional(IsoTime),
        end_time: Schema.optional(IsoTime),
        /** RealtimeKit's optional filters: OnAir supports none yet (an empty value is accepted). */
        filters: Schema.optional(Schema.String)
      },
      success: Ok(Schema.Array(LivestreamDayRecord)),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.get("getOrgAnalytics", `${BASE}/analytics/daywise`, {
      params: ScopeParams,
      query: { start_date: Schema.optional(Day), end_date: Schema.optional(Day) },
      success: Ok(DayWiseAnalyticsRecord),
      error: [BadRequest, NotFound]
    })
  )
  .middleware(Authorization)
  .annotateMerge(OpenApi.annotations({ title: "Analytics", description: "Seed 001" })) {}
