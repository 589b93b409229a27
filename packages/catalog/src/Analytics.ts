/**
 * The analytics endpoints' answers, from the catalog.
 *
 * What counts (also in docs/architecture.md):
 * - **Overall**: a livestream session counts when its media started inside the range; its ingest seconds
 *   (media connected, an open connection counted up to now) and viewer seconds count with it. A session
 *   that never had media was not a broadcast and does not count.
 * - **Day-wise sessions**: meeting sessions (opened to closed, or to now while open), on the UTC day they
 *   opened, for their whole length.
 * - **Day-wise recordings**: OnAir records a broadcast as its HLS segments, so a recording is a
 *   livestream session that had media, from its first media to its stop (or now), on the UTC day it
 *   started.
 */
import {
  type DayWiseAnalyticsRecord,
  dayWiseAnalytics,
  type Interval,
  type OverallAnalyticsRecord,
  overallAnalytics,
  type TimeRange,
  type Timestamp
} from "@onair/core"
import type { Catalog, Scope } from "./Catalog.ts"

export const overall = (catalog: Catalog, scope: Scope, range: TimeRange, asOf: Timestamp): OverallAnalyticsRecord =>
  overallAnalytics(catalog.sessionsOfScope(scope), range, asOf)

export interface DayRange {
  /** First and last day, inclusive, as midnight UTC in epoch ms. */
  readonly firstDay: number
  readonly lastDay: number
}

export const recordingsOf = (catalog: Catalog, scope: Scope): ReadonlyArray<Interval> =>
  catalog.sessionsOfScope(scope).flatMap((session) =>
    session.startedAt === null ? [] : [{ startedAt: session.startedAt, endedAt: session.stoppedAt }]
  )

export const dayWise = (catalog: Catalog, scope: Scope, days: DayRange, asOf: Timestamp): DayWiseAnalyticsRecord =>
  dayWiseAnalytics({
    meetingSessions: catalog.meetingSessionsOf(scope),
    recordings: recordingsOf(catalog, scope),
    firstDay: days.firstDay,
    lastDay: days.lastDay,
    asOf
  })
