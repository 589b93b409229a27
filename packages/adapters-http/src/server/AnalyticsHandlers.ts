/**
 * The analytics endpoints, answered from the live catalog (see packages/analytics for what counts).
 */
import { Analytics } from "@onair/catalog"
import { formatDay, parseDay, Timestamp } from "@onair/core"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { badRequest, OnAirApi } from "@onair/http-api"
import { authorize, now, timeParam } from "./Requests.ts"

const DAY_MILLIS = 86_400_000
/** The day-wise default range: 30 days ago to today. */
export const DEFAULT_DAYS = 30
/** The longest day-wise range answered, so one request cannot ask for years of zero rows. */
export const MAX_DAYS = 366

const dayOf = (field: string, value: string | undefined, fallback: number) => {
  if (value === undefined) return Effect.succeed(fallback)
  const day = parseDay(value)
  return day === null
    ? Effect.fail(badRequest("invalid_query_parameter", `${field}: ${value} is not a calendar day (YYYY-MM-DD)`))
    : Effect.succeed(day)
}

export const AnalyticsHandlers = HttpApiBuilder.group(
  OnAirApi,
  "analytics",
  Effect.fn(function* (handlers) {
    return handlers
      .handle("getLivestreamAnalyticsComplete", ({ params, query }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          const asOf = yield* now
          const from = (yield* timeParam("start_time", query.start_time)) ?? 0
          // The end is inclusive, as users write it; the range is half-open inside.
          const to = (yield* timeParam("end_time", query.end_time)) ?? asOf
          if (to < from) return yield* badRequest("invalid_query_parameter", "end_time: before start_time")
          const range = { from: Timestamp.make(from), to: Timestamp.make(to + 1) }
          return { success: true as const, data: yield* Analytics.overall(scope, range, asOf) }
        })
      )
      .handle("getLivestreamAnalyticsDaywise", ({ params, query }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          if (query.filters !== undefined && query.filters.trim() !== "") {
            return yield* badRequest(
              "invalid_query_parameter",
              "filters: OnAir supports no filters on day-wise livestream analytics yet"
            )
          }
          const asOf = yield* now
          const to = ((yield* timeParam("end_time", query.end_time)) ?? asOf) + 1
          const from =
            (yield* timeParam("start_time", query.start_time)) ?? parseDay(formatDay(asOf))! - DEFAULT_DAYS * DAY_MILLIS
          if (to <= from) return yield* badRequest("invalid_query_parameter", "end_time: before start_time")
          if (to - from > MAX_DAYS * DAY_MILLIS) {
            return yield* badRequest("invalid_query_parameter", `start_time: the range is longer than ${MAX_DAYS} days`)
          }
          const range = { from: Timestamp.make(from), to: Timestamp.make(to) }
          return { success: true as const, data: yield* Analytics.livestreamDays(scope, range, asOf) }
        })
      )
      .handle("getOrgAnalytics", ({ params, query }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          const asOf = yield* now
          const today = parseDay(formatDay(asOf))!
          const lastDay = yield* dayOf("end_date", query.end_date, today)
          const firstDay = yield* dayOf("start_date", query.start_date, lastDay - DEFAULT_DAYS * DAY_MILLIS)
          if (lastDay < firstDay) return yield* badRequest("invalid_query_parameter", "end_date: before start_date")
          if ((lastDay - firstDay) / DAY_MILLIS + 1 > MAX_DAYS) {
            return yield* badRequest("invalid_query_parameter", `start_date: the range is longer than ${MAX_DAYS} days`)
          }
          return {
            success: true as const,
            data: yield* Analytics.dayWise(scope, { firstDay, lastDay }, asOf)
          }
        })
      )
  })
)
