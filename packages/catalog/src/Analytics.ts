/**
 * The analytics endpoints' answers, from the catalog.
 *
 * What counts (also in docs/architecture.md):
 * - **Overall**: a livestream session counts when its media started inside the range; its ingest seconds
 *   (media connected, an open connection counted up to now) and viewer seconds count with it. A session
 *   that never had media was not a broadcast and does not count.
 * - **Day-wise sessions**: meeting sessions (opened to closed, or to now while open), on the UTC day they
 *   opened, for their whole length.
 * - **Day-wise recordings**: recordings that became ready, on the UTC day they started, for their
 *   duration (a failed one made nothing).
 * - **Day-wise livestreams**: the overall figures per UTC day the sessions' media started on.
 */
import {
  type DayWiseAnalyticsRecord,
  dayWiseAnalytics,
  type LivestreamDay,
  livestreamDayWise,
  type OverallAnalyticsRecord,
  overallAnalytics,
  type TimeRange,
  type Timestamp
} from "@onair/core"
import { Effect } from "effect"
import { RecordingReads } from "./RecordingReads.ts"
import { CatalogReads, type Scope } from "./CatalogReads.ts"

const DAY_MILLIS = 86_400_000

/**
 * A range's sessions as the analytics read them: its whole days counted ahead per app and day for settled
 * sessions (`days`); the rest of the range (its partial first and last days) and the unsettled sessions
 * read as sessions (`sessions`).
 */
const countedAndRead = (scope: Scope, range: TimeRange) =>
  Effect.gen(function* () {
    const catalog = yield* CatalogReads
    const firstWholeDay = Math.ceil(range.from / DAY_MILLIS) * DAY_MILLIS
    const endOfWholeDays = Math.floor(range.to / DAY_MILLIS) * DAY_MILLIS
    const counted = { from: firstWholeDay, to: Math.max(firstWholeDay, endOfWholeDays) }
    return {
      days: yield* catalog.sessionDays(scope, counted),
      sessions: yield* catalog.sessionsStartedIn(scope, range, counted)
    }
  })

export const overall = (
  scope: Scope,
  range: TimeRange,
  asOf: Timestamp
): Effect.Effect<OverallAnalyticsRecord, never, CatalogReads> =>
  Effect.gen(function* () {
    const { days, sessions } = yield* countedAndRead(scope, range)
    const rest = overallAnalytics(sessions, range, asOf)
    return days.reduce(
      (total, day) => ({
        count: total.count + day.sessions,
        total_ingest_seconds: total.total_ingest_seconds + day.ingestSeconds,
        total_viewer_seconds: total.total_viewer_seconds + day.viewerSeconds
      }),
      rest
    )
  })

export interface DayRange {
  /** First and last day, inclusive, as midnight UTC in epoch ms. */
  readonly firstDay: number
  readonly lastDay: number
}

/** The overall figures per UTC day of the range, counted as `overall` counts them. */
export const livestreamDays = (
  scope: Scope,
  range: TimeRange,
  asOf: Timestamp
): Effect.Effect<ReadonlyArray<LivestreamDay>, never, CatalogReads> =>
  Effect.map(countedAndRead(scope, range), ({ days, sessions }) => livestreamDayWise(sessions, days, range, asOf))

/** The meeting sessions opened on the range's days, and the recordings made of broadcasts started on them. */
export const dayWise = (
  scope: Scope,
  days: DayRange,
  asOf: Timestamp
): Effect.Effect<DayWiseAnalyticsRecord, never, CatalogReads | RecordingReads> =>
  Effect.gen(function* () {
    const catalog = yield* CatalogReads
    const range = { from: days.firstDay, to: days.lastDay + DAY_MILLIS }
    const meetingSessions = yield* catalog.meetingSessionsOpenedIn(scope, range)
    const recordings = yield* (yield* RecordingReads).readyDays(scope, range)
    return dayWiseAnalytics({ meetingSessions, recordings, firstDay: days.firstDay, lastDay: days.lastDay, asOf })
  })
