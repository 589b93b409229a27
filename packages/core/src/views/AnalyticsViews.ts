/**
 * The analytics records of the livestreams seed, from sessions and intervals.
 *
 * What counts: a livestream session counts in a range when its media started inside it (a session that
 * never had media is not a broadcast); its ingest and viewer seconds count with it. For the day-wise
 * record, a meeting session counts on the UTC day it started, for its whole length, and a recording on the
 * day it started, for its duration, once it is ready (a failed one made nothing to count).
 */
import type { Session } from "../session/SessionState.ts"
import type { Timestamp } from "../Time.ts"
import { ingestSeconds, viewerSeconds } from "./LivestreamViews.ts"
import type { DayWiseAnalyticsRecord, OverallAnalyticsRecord } from "./SeedRecords.ts"

const DAY_MILLIS = 86_400_000

/** Half-open: `from` <= t < `to`. */
export interface TimeRange {
  readonly from: Timestamp
  readonly to: Timestamp
}

export const overallAnalytics = (
  sessions: Iterable<Session>,
  range: TimeRange,
  asOf: Timestamp
): OverallAnalyticsRecord => {
  let count = 0
  let ingest = 0
  let viewers = 0
  for (const session of sessions) {
    if (session.startedAt === null || session.startedAt < range.from || session.startedAt >= range.to) continue
    count += 1
    ingest += ingestSeconds(session, asOf)
    viewers += viewerSeconds(session)
  }
  return { count, total_ingest_seconds: ingest, total_viewer_seconds: viewers }
}

/** One day of RealtimeKit's day-wise livestream analytics. */
export interface LivestreamDay {
  readonly date: string
  readonly count: number
  readonly total_ingest_seconds: number
  readonly total_viewer_seconds: number
}

/**
 * The overall figures per UTC day of `range` (by the day a session's media started): settled sessions
 * counted ahead per day (`counted`), the others read as sessions, by the same rules as `overallAnalytics`.
 */
export const livestreamDayWise = (
  sessions: Iterable<Session>,
  counted: Iterable<SessionDayTotals>,
  range: TimeRange,
  asOf: Timestamp
): ReadonlyArray<LivestreamDay> => {
  const days = new Map<number, { count: number; ingest: number; viewers: number }>()
  const first = range.from - (range.from % DAY_MILLIS)
  for (let day = first; day < range.to; day += DAY_MILLIS) days.set(day, { count: 0, ingest: 0, viewers: 0 })
  for (const totals of counted) {
    const day = days.get(totals.day)
    if (day === undefined) continue
    day.count += totals.sessions
    day.ingest += totals.ingestSeconds
    day.viewers += totals.viewerSeconds
  }
  for (const session of sessions) {
    if (session.startedAt === null || session.startedAt < range.from || session.startedAt >= range.to) continue
    const day = days.get(session.startedAt - (session.startedAt % DAY_MILLIS))
    if (day === undefined) continue
    day.count += 1
    day.ingest += ingestSeconds(session, asOf)
    day.viewers += viewerSeconds(session)
  }
  return [...days].map(([day, totals]) => ({
    date: formatDay(day),
    count: totals.count,
    total_ingest_seconds: totals.ingest,
    total_viewer_seconds: totals.viewers
  }))
}

/** Something that ran from `startedAt` until `endedAt`, or is still running. */
export interface Interval {
  readonly startedAt: Timestamp
  readonly endedAt: Timestamp | null
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** Midnight UTC of a `YYYY-MM-DD` day, or null if it is not a calendar day. */
export const parseDay = (day: string): number | null => {
  const match = DAY.exec(day)
  if (match === null) return null
  const at = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  return new Date(at).toISOString().slice(0, 10) === day ? at : null
}

export const formatDay = (at: number): string => new Date(at - (at % DAY_MILLIS)).toISOString().slice(0, 10)

/**
 * A session whose figures no longer change with time (stopped, its media gone): what it adds can be
 * counted once, ahead of any query.
 */
export const isSettled = (session: Session): boolean => session.stoppedAt !== null && session.connectedSince === null

/** What sessions add to the day their media started on (UTC midnight, epoch ms). */
export interface SessionDayTotals {
  readonly day: number
  readonly sessions: number
  readonly ingestSeconds: number
  readonly viewerSeconds: number
  /** The recordings' length: first media to stop. */
  readonly recordingMillis: number
}

/**
 * What a settled session adds to its day, by the same rules as `overallAnalytics` and the day-wise
 * recordings; null for a session that never had media or is not settled.
 */
export const settledDayTotals = (session: Session): SessionDayTotals | null => {
  if (session.startedAt === null || session.stoppedAt === null || !isSettled(session)) return null
  return {
    day: session.startedAt - (session.startedAt % DAY_MILLIS),
    sessions: 1,
    ingestSeconds: ingestSeconds(session, session.stoppedAt),
    viewerSeconds: viewerSeconds(session),
    recordingMillis: Math.max(0, session.stoppedAt - session.startedAt)
  }
}

/** The recordings that became ready, on the UTC day they started (midnight, epoch ms). */
export interface RecordingDayTotals {
  readonly day: number
  readonly recordings: number
  /** Their durations, summed. */
  readonly seconds: number
}

export interface DayWiseInput {
  readonly meetingSessions: Iterable<Interval>
  /** Recordings per day: each counted on the day it started, for its duration, once it is ready. */
  readonly recordings: Iterable<RecordingDayTotals>
  /** First and last day, inclusive, as midnight UTC. */
  readonly firstDay: number
  readonly lastDay: number
  readonly asOf: Timestamp
}

const emptyDays = (input: DayWiseInput) => {
  const days = new Map<number, { count: number; minutes: number }>()
  for (let day = input.firstDay; day <= input.lastDay; day += DAY_MILLIS) days.set(day, { count: 0, minutes: 0 })
  return days
}

const listed = (days: Map<number, { count: number; minutes: number }>) =>
  [...days.entries()].map(([day, stats]) => ({ day: formatDay(day), ...stats }))

const perDay = (intervals: Iterable<Interval>, input: DayWiseInput) => {
  const days = emptyDays(input)
  for (const interval of intervals) {
    const day = days.get(interval.startedAt - (interval.startedAt % DAY_MILLIS))
    if (day === undefined) continue
    day.count += 1
    day.minutes += Math.max(0, (interval.endedAt ?? input.asOf) - interval.startedAt) / 60_000
  }
  return listed(days)
}

const recordingsPerDay = (input: DayWiseInput) => {
  const days = emptyDays(input)
  for (const totals of input.recordings) {
    const day = days.get(totals.day)
    if (day === undefined) continue
    day.count += totals.recordings
    day.minutes += totals.seconds / 60
  }
  return listed(days)
}

const roundMinutes = (minutes: number): number => Math.round(minutes * 1000) / 1000

export const dayWiseAnalytics = (input: DayWiseInput): DayWiseAnalyticsRecord => {
  const sessions = perDay(input.meetingSessions, input)
  const recordings = recordingsPerDay(input)
  const sum = (days: ReadonlyArray<{ count: number; minutes: number }>, key: "count" | "minutes") =>
    days.reduce((total, day) => total + day[key], 0)
  return {
    recording_stats: {
      day_stats: recordings.map((day) => ({
        day: day.day,
        total_recording_minutes: Math.round(day.minutes),
        total_recordings: day.count
      })),
      recording_count: sum(recordings, "count"),
      recording_minutes_consumed: roundMinutes(sum(recordings, "minutes"))
    },
    session_stats: {
      day_stats: sessions.map((day) => ({
        day: day.day,
        total_session_minutes: roundMinutes(day.minutes),
        total_sessions: day.count
      })),
      sessions_count: sum(sessions, "count"),
      sessions_minutes_consumed: roundMinutes(sum(sessions, "minutes"))
    }
  }
}
