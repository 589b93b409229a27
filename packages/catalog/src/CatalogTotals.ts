/**
 * The totals the catalog keeps beside its rows, moved by each aggregate's state before and after a batch:
 * livestreams per app and status (list totals) and settled sessions per app and UTC day (analytics).
 */
import { type Livestream, type Session, settledDayTotals, status } from "@onair/core"
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"

/** The batch's changes to the settled sessions' totals per app and day. */
export const countSessionDays = (
  changed: ReadonlyArray<{ readonly before: Session | null; readonly after: Session }>
) =>
  Effect.gen(function* () {
    const deltas = new Map<
      string,
      {
        account_id: string
        app_id: string
        day: number
        sessions: number
        ingest: number
        viewers: number
        millis: number
      }
    >()
    const add = (session: Session | null, sign: number) => {
      const totals = session === null ? null : settledDayTotals(session)
      if (session === null || totals === null) return
      const key = `${session.accountId}\u0000${session.appId}\u0000${totals.day}`
      const entry = deltas.get(key) ?? {
        account_id: session.accountId,
        app_id: session.appId,
        day: totals.day,
        sessions: 0,
        ingest: 0,
        viewers: 0,
        millis: 0
      }
      entry.sessions += sign * totals.sessions
      entry.ingest += sign * totals.ingestSeconds
      entry.viewers += sign * totals.viewerSeconds
      entry.millis += sign * totals.recordingMillis
      deltas.set(key, entry)
    }
    for (const { before, after } of changed) {
      add(before, -1)
      add(after, 1)
    }
    const rows = [...deltas.values()].filter(
      (entry) => entry.sessions !== 0 || entry.ingest !== 0 || entry.viewers !== 0 || entry.millis !== 0
    )
    if (rows.length === 0) return
    const sql = yield* SqlClient
    yield* sql`
      INSERT INTO onair_session_days AS d (account_id, app_id, day, sessions, ingest_seconds, viewer_seconds, recording_millis)
      SELECT account_id, app_id, day, sessions, ingest, viewers, millis FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS r(account_id text, app_id text, day bigint, sessions bigint, ingest bigint, viewers bigint, millis bigint)
      ON CONFLICT (account_id, app_id, day) DO UPDATE SET
        sessions = d.sessions + excluded.sessions, ingest_seconds = d.ingest_seconds + excluded.ingest_seconds,
        viewer_seconds = d.viewer_seconds + excluded.viewer_seconds, recording_millis = d.recording_millis + excluded.recording_millis`
  })

/** The batch's changes to the livestreams per app and status (deleted ones not counted). */
export const countLivestreams = (
  changed: ReadonlyArray<{ readonly before: Livestream | null; readonly after: Livestream }>
) =>
  Effect.gen(function* () {
    const deltas = new Map<string, { account_id: string; app_id: string; status: string; delta: number }>()
    const add = (livestream: Livestream | null, delta: number) => {
      if (livestream === null || livestream.deleted) return
      const counted = { account_id: livestream.accountId, app_id: livestream.appId, status: status(livestream) }
      const key = JSON.stringify(counted)
      const entry = deltas.get(key) ?? { ...counted, delta: 0 }
      entry.delta += delta
      deltas.set(key, entry)
    }
    for (const { before, after } of changed) {
      add(before, -1)
      add(after, 1)
    }
    const rows = [...deltas.values()].filter((entry) => entry.delta !== 0)
    if (rows.length === 0) return
    const sql = yield* SqlClient
    yield* sql`
      INSERT INTO onair_livestream_counts AS c (account_id, app_id, status, livestreams)
      SELECT account_id, app_id, status, delta FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS r(account_id text, app_id text, status text, delta bigint)
      ON CONFLICT (account_id, app_id, status) DO UPDATE SET livestreams = c.livestreams + excluded.livestreams`
  })
