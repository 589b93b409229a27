/** Meeting sessions kept as intervals (opened, closed) for day-wise analytics. */
import type { Change } from "@onair/core"
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { iso } from "./AggregateTable.ts"

/**
 * The batch's meeting sessions: opened ones inserted (with their meeting's scope, written just before),
 * closed ones given their end.
 */
export const writeMeetingSessions = (changes: ReadonlyArray<Change>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    for (const change of changes) {
      if (change.kind !== "meeting") continue
      const event = change.event
      if (event._tag === "MeetingSessionOpened") {
        yield* sql`
          INSERT INTO onair_meeting_sessions (meeting_session_id, meeting_id, account_id, app_id, opened_at)
          SELECT ${event.meetingSessionId}, id, account_id, app_id, ${iso(event.at)}::timestamptz
          FROM onair_meetings WHERE id = ${change.id}
          ON CONFLICT (meeting_session_id) DO NOTHING`
      } else if (event._tag === "MeetingSessionClosed") {
        yield* sql`
          UPDATE onair_meeting_sessions SET closed_at = ${iso(event.at)}::timestamptz
          WHERE meeting_session_id = ${event.meetingSessionId}`
      }
    }
  })
