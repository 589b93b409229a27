/** Meetings in the catalog: by id, an app's pages, and the meeting sessions opened in a range. */
import type { Meeting, MeetingId, Timestamp } from "@onair/core"
import { Effect } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import {
  inScope,
  iso,
  type MeetingSessionInterval,
  offsetOf,
  one,
  type PageRequest,
  paged,
  type Range,
  type Scope
} from "./CatalogQueries.ts"
import { decodeMeeting } from "./CatalogStates.ts"

export const meetingQueries = (sql: SqlClient) => {
  const meetingById = (id: MeetingId) =>
    one(sql<{ state: unknown }>`SELECT state FROM onair_meetings WHERE id = ${id}`, decodeMeeting)

  return {
    meeting: (scope: Scope, id: MeetingId) => Effect.map(meetingById(id), inScope<Meeting>(scope)),
    meetingById,
    meetings: (scope: Scope, page: PageRequest) =>
      paged(
        sql<{ state: unknown; total: unknown }>`
          SELECT state, count(*) OVER () AS total FROM onair_meetings
          WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId}
          ORDER BY ordinal DESC LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
        sql<{ total: unknown }>`
          SELECT count(*) AS total FROM onair_meetings WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId}`,
        decodeMeeting
      ),
    meetingSessionsOpenedIn: (scope: Scope, range: Range): Effect.Effect<ReadonlyArray<MeetingSessionInterval>> =>
      Effect.orDie(
        Effect.map(
          sql<{ meeting_id: string; opened_at: Date | string; closed_at: Date | string | null }>`
          SELECT meeting_id, opened_at, closed_at FROM onair_meeting_sessions
          WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId}
            AND opened_at >= ${iso(range.from)}::timestamptz AND opened_at < ${iso(range.to)}::timestamptz
          ORDER BY opened_at`,
          (rows) =>
            rows.map((row) => ({
              meetingId: row.meeting_id as MeetingId,
              startedAt: new Date(row.opened_at).getTime() as Timestamp,
              endedAt: (row.closed_at === null ? null : new Date(row.closed_at).getTime()) as Timestamp | null
            }))
        )
      )
  }
}
