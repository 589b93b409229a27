/**
 * Analytics endpoints of seed 001: overall livestream figures for a time range, and day-wise meeting
 * sessions and recordings for a range of days (default: the last 30 days to today, UTC).
 */
import { DayWiseAnalyticsRecord, OverallAnalyticsRecord } from "@onair/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { BadRequest, NotFound, Ok } from "./Envelope.ts"
import { IsoTime } from "./LivestreamsApi.ts"
import { BASE, ScopeParams } from "./Scope.ts"
import { Authorization } from "./Security.ts"

export const Day = Schema.String.pipe(Schema.check(Schema.isPattern(/^\d{4}-\d{2}-\d{2}$/)))

export class AnalyticsApi extends HttpApiGroup.make("analytics")
  .add(
    HttpApiEndpoint.get("getLivestreamAnalyticsComplete", `${BASE}/analytics/livestreams/overall`, {
      params: ScopeParams,
      query: { start_time: Schema.optional(IsoTime), end_time: Schema.optional(IsoTime) },
      success: Ok(OverallAnalyticsRecord),
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
  .annotateMerge(OpenApi.annotations({ title: "Analytics", description: "Seed 001" }))
{}
