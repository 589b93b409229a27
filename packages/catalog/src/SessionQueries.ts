/**
 * Sessions (and their publishers' ingests) in the catalog: by id, a livestream's pages (cached), the
 * current or last one of a livestream, and what analytics reads: sessions started in a range and the
 * settled days' totals.
 */
import {
  currentSessionId,
  type Ingest,
  type IngestId,
  type Livestream,
  type LivestreamId,
  type Session,
  type SessionDayTotals,
  type SessionId
} from "@onair/core"
import { Effect } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type * as CatalogCache from "./CatalogCache.ts"
import { all, inScope, iso, offsetOf, one, type PageRequest, paged, type Range, type Scope } from "./CatalogQueries.ts"
import { decodeIngest, decodeSession } from "./CatalogStates.ts"

export const sessionQueries = (sql: SqlClient, cache: CatalogCache.CatalogCache) => {
  const sessionById = (id: SessionId) =>
    one(sql<{ state: unknown }>`SELECT state FROM onair_sessions WHERE id = ${id}`, decodeSession)

  const sessionsPage = (livestreamId: LivestreamId, page: PageRequest) =>
    paged(
      sql<{ state: unknown; total: unknown }>`
        SELECT state, count(*) OVER () AS total FROM onair_sessions WHERE livestream_id = ${livestreamId}
        ORDER BY ordinal DESC LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
      sql<{ total: unknown }>`SELECT count(*) AS total FROM onair_sessions WHERE livestream_id = ${livestreamId}`,
      decodeSession
    )

  const sessionsOf = (livestreamId: LivestreamId, page: PageRequest) =>
    Effect.map(
      cache.through(
        `sessions:${livestreamId}:${page.pageNo}:${page.perPage}`,
        livestreamId,
        sessionsPage(livestreamId, page),
        (found) => found.items.map((session) => session.id)
      ),
      (found) => found ?? { items: [], total: 0 }
    )

  const currentOrLastSession = (livestream: Livestream) => {
    const current = currentSessionId(livestream)
    return current === null
      ? Effect.map(sessionsOf(livestream.id, { pageNo: 1, perPage: 1 }), (newest) => newest.items[0])
      : sessionById(current)
  }

  const sessionsStartedIn = (scope: Scope, range: Range, counted?: Range) => {
    const ofScope = sql`account_id = ${scope.accountId} AND app_id = ${scope.appId} AND started_at IS NOT NULL`
    const between = (from: number, to: number) =>
      sql`started_at >= ${iso(from)}::timestamptz AND started_at < ${iso(to)}::timestamptz`
    // Three index ranges: before the counted days, the unsettled ones inside them, after them.
    const query =
      counted === undefined || counted.from >= counted.to
        ? sql<{
            state: unknown
          }>`SELECT state FROM onair_sessions WHERE ${ofScope} AND ${between(range.from, range.to)}`
        : sql<{ state: unknown }>`
          SELECT state FROM onair_sessions WHERE ${ofScope} AND ${between(range.from, counted.from)}
          UNION ALL
          SELECT state FROM onair_sessions WHERE ${ofScope} AND NOT settled AND ${between(counted.from, counted.to)}
          UNION ALL
          SELECT state FROM onair_sessions WHERE ${ofScope} AND ${between(counted.to, range.to)}`
    return all(query, decodeSession)
  }

  const sessionDays = (scope: Scope, days: Range): Effect.Effect<ReadonlyArray<SessionDayTotals>> =>
    Effect.orDie(
      Effect.map(
        sql<{
          day: unknown
          sessions: unknown
          ingest_seconds: unknown
          viewer_seconds: unknown
          recording_millis: unknown
        }>`
        SELECT day, sessions, ingest_seconds, viewer_seconds, recording_millis FROM onair_session_days
        WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId} AND day >= ${days.from} AND day < ${days.to}`,
        (rows) =>
          rows.map((row) => ({
            day: Number(row.day),
            sessions: Number(row.sessions),
            ingestSeconds: Number(row.ingest_seconds),
            viewerSeconds: Number(row.viewer_seconds),
            recordingMillis: Number(row.recording_millis)
          }))
      )
    )

  const ingest = (id: IngestId): Effect.Effect<Ingest | undefined> =>
    one(sql<{ state: unknown }>`SELECT state FROM onair_ingests WHERE id = ${id}`, decodeIngest)

  return {
    session: (scope: Scope, id: SessionId) => Effect.map(sessionById(id), inScope<Session>(scope)),
    sessionById,
    sessionsOf,
    currentOrLastSession,
    sessionsStartedIn,
    sessionDays,
    ingest
  }
}
