/**
 * What the API, the media plane and webhooks read: indexed queries on the catalog's tables, shared by
 * every process on the database, with a bounded cache of the hottest (a livestream, a page of its
 * sessions, a page of an app's livestreams, an API token) kept correct by the log (`CatalogCache`). A
 * reader after a write waits for the tables and the cache to include it (`awaitTransaction`): the
 * projection's checkpoint, watched across processes, and this process's follower of the log.
 *
 * The tables are read, never written, here; a database that fails a read is the server's fault (a
 * defect), as a failing event store is on the command path.
 */
import {
  type AccessToken,
  type AccessTokenId,
  accessTokenStream,
  type AccountId,
  EventStore,
  type AppId,
  currentSessionId,
  type Ingest,
  type IngestId,
  type Interval,
  type Livestream,
  type LivestreamId,
  type LivestreamStatus,
  type Meeting,
  type MeetingId,
  type Session,
  type SessionDayTotals,
  type SessionId,
  type Timestamp,
  type WebhookEndpoint
} from "@onair/core"
import { ProjectionWatch, SecretKeyring } from "@onair/event-store"
import * as CatalogCache from "./CatalogCache.ts"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import {
  decodeAccessToken,
  decodeIngest,
  decodeMeeting,
  decodeSession,
  endpointStates,
  livestreamStates
} from "./CatalogStates.ts"
import { PROJECTION } from "./CatalogTables.ts"

/** The account and app a caller may see. */
export interface Scope {
  readonly accountId: AccountId
  readonly appId: AppId
}

export interface MeetingSessionInterval extends Interval {
  readonly meetingId: MeetingId
}

/** One page of a list and how many there are in all. */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly total: number
}

export interface PageRequest {
  /** 1-based. */
  readonly pageNo: number
  readonly perPage: number
}

export interface LivestreamFilter extends PageRequest {
  readonly status?: LivestreamStatus | undefined
  readonly excludeMeetings: boolean
  /** Created at or after / at or before, epoch ms. */
  readonly from?: number | undefined
  readonly to?: number | undefined
  /** ASC: oldest first. */
  readonly order: "ASC" | "DSC"
  /** Livestreams whose name contains it (case-insensitive), or whose id it is. */
  readonly search?: string | undefined
}

/** Epoch ms range, `from` inclusive, `to` exclusive. */
export interface Range {
  readonly from: number
  readonly to: number
}

const iso = (millis: number) => new Date(millis).toISOString()
const offsetOf = (page: PageRequest) => (page.pageNo - 1) * page.perPage

export class CatalogReads extends Context.Service<
  CatalogReads,
  {
    /** Resolves once the tables include everything the given transaction appended. */
    readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
    /** A livestream of the scope, deleted ones excepted. */
    readonly livestream: (scope: Scope, id: LivestreamId) => Effect.Effect<Livestream | undefined>
    /** A livestream by id alone, deleted ones too: for the media plane, which has no account scope. */
    readonly livestreamById: (id: LivestreamId) => Effect.Effect<Livestream | undefined>
    /** The livestreams holding an SRT port (deleted ones excepted), by port: at most the port range's size. */
    readonly srtLivestreams: Effect.Effect<ReadonlyArray<Livestream>>
    /** A page of the scope's livestreams (deleted ones excepted) in creation order or its reverse. */
    readonly livestreams: (scope: Scope, filter: LivestreamFilter) => Effect.Effect<Page<Livestream>>
    readonly session: (scope: Scope, id: SessionId) => Effect.Effect<Session | undefined>
    readonly sessionById: (id: SessionId) => Effect.Effect<Session | undefined>
    /** A page of a livestream's sessions, newest first. */
    readonly sessionsOf: (livestreamId: LivestreamId, page: PageRequest) => Effect.Effect<Page<Session>>
    /** The current session of a livestream, or its last one when none is invoked or open. */
    readonly currentOrLastSession: (livestream: Livestream) => Effect.Effect<Session | undefined>
    /**
     * The sessions of the scope's livestreams (deleted ones included) whose media started in the range and
     * that are not counted in `sessionDays` there: all of them outside `counted` (whole days), the unsettled
     * ones inside it.
     */
    readonly sessionsStartedIn: (scope: Scope, range: Range, counted?: Range) => Effect.Effect<ReadonlyArray<Session>>
    /** The settled sessions' totals of the scope's days in the range (whole days, UTC midnights). */
    readonly sessionDays: (scope: Scope, days: Range) => Effect.Effect<ReadonlyArray<SessionDayTotals>>
    readonly ingest: (id: IngestId) => Effect.Effect<Ingest | undefined>
    readonly meeting: (scope: Scope, id: MeetingId) => Effect.Effect<Meeting | undefined>
    readonly meetingById: (id: MeetingId) => Effect.Effect<Meeting | undefined>
    /** A page of the scope's meetings, newest first. */
    readonly meetings: (scope: Scope, page: PageRequest) => Effect.Effect<Page<Meeting>>
    /** The scope's meeting sessions opened in the range, open ones with `endedAt` null. */
    readonly meetingSessionsOpenedIn: (
      scope: Scope,
      range: Range
    ) => Effect.Effect<ReadonlyArray<MeetingSessionInterval>>
    /** An API token by id, revoked ones too. */
    readonly accessToken: (id: AccessTokenId) => Effect.Effect<AccessToken | undefined>
    /** An API token if this process has it cached, without reading the table (the lean read path's). */
    readonly cachedAccessToken: (id: AccessTokenId) => AccessToken | undefined
    /** A webhook endpoint of the scope, deleted ones excepted. */
    readonly webhookEndpoint: (scope: Scope, id: string) => Effect.Effect<WebhookEndpoint | undefined>
    /** The scope's webhook endpoints (deleted ones excepted), oldest first. */
    readonly webhookEndpoints: (scope: Scope) => Effect.Effect<ReadonlyArray<WebhookEndpoint>>
  }
>()("@onair/catalog/CatalogReads") {
  static readonly make = Effect.gen(function* () {
    const sql = yield* SqlClient
    const watch = yield* CatalogWatch
    const keyring = yield* SecretKeyring
    const decodeLivestream = livestreamStates(keyring).decode
    const decodeEndpoint = endpointStates(keyring).decode
    const store = yield* EventStore
    const cache = yield* CatalogCache.make(yield* Effect.orDie(store.loadCheckpoint(PROJECTION)), watch.reached)

    const one = <A>(
      rows: Effect.Effect<ReadonlyArray<{ readonly state: unknown }>, unknown>,
      decode: (state: unknown) => A
    ) => Effect.orDie(Effect.map(rows, (found) => (found[0] === undefined ? undefined : decode(found[0].state))))
    const all = <A>(
      rows: Effect.Effect<ReadonlyArray<{ readonly state: unknown }>, unknown>,
      decode: (state: unknown) => A
    ) => Effect.orDie(Effect.map(rows, (found) => found.map((row) => decode(row.state))))
    const paged = <A>(
      rows: Effect.Effect<ReadonlyArray<{ readonly state: unknown; readonly total: unknown }>, unknown>,
      count: Effect.Effect<ReadonlyArray<{ readonly total: unknown }>, unknown>,
      decode: (state: unknown) => A
    ): Effect.Effect<Page<A>> =>
      Effect.orDie(
        Effect.gen(function* () {
          const found = yield* rows
          // The window count rides on the page's rows; a page past the end needs a count of its own.
          const total = found[0] !== undefined ? Number(found[0].total) : Number((yield* count)[0]?.total ?? 0)
          return { items: found.map((row) => decode(row.state)), total }
        })
      )

    const livestreamById = (id: LivestreamId) =>
      cache.through(
        `livestream:${id}`,
        id,
        one(sql<{ state: unknown }>`SELECT state FROM onair_livestreams WHERE id = ${id}`, decodeLivestream)
      )

    const srtLivestreams = all(
      sql<{ state: unknown }>`
        SELECT state FROM onair_livestreams
        WHERE state->>'srtPort' IS NOT NULL AND NOT deleted
        ORDER BY (state->>'srtPort')::integer`,
      decodeLivestream
    )

    const sessionById = (id: SessionId) =>
      one(sql<{ state: unknown }>`SELECT state FROM onair_sessions WHERE id = ${id}`, decodeSession)

    const meetingById = (id: MeetingId) =>
      one(sql<{ state: unknown }>`SELECT state FROM onair_meetings WHERE id = ${id}`, decodeMeeting)

    const inScope =
      <A extends { readonly accountId: string; readonly appId: string }>(scope: Scope) =>
      (found: A | undefined) =>
        found !== undefined && found.accountId === scope.accountId && found.appId === scope.appId ? found : undefined

    const livestreams = (scope: Scope, filter: LivestreamFilter) => {
      const where = sql.and([
        sql`account_id = ${scope.accountId}`,
        sql`app_id = ${scope.appId}`,
        sql`NOT deleted`,
        ...(filter.status === undefined ? [] : [sql`status = ${filter.status}`]),
        ...(filter.excludeMeetings ? [sql`meeting_id IS NULL`] : []),
        ...(filter.from === undefined ? [] : [sql`created_at >= ${iso(filter.from)}::timestamptz`]),
        ...(filter.to === undefined ? [] : [sql`created_at <= ${iso(filter.to)}::timestamptz`]),
        ...(filter.search === undefined || filter.search === ""
          ? []
          : [sql`(id = ${filter.search} OR strpos(lower(state->>'name'), lower(${filter.search})) > 0)`])
      ])
      const order =
        filter.order === "ASC"
          ? sql.literal("created_at ASC, ordinal ASC")
          : sql.literal("created_at DESC, ordinal DESC")
      const pageOf = sql<{ state: unknown }>`
        SELECT state FROM onair_livestreams WHERE ${where} ORDER BY ${order} LIMIT ${filter.perPage} OFFSET ${offsetOf(filter)}`
      // An app's total (or its total in one status) is kept counted; other filters count their matches.
      const counted =
        filter.excludeMeetings === false &&
        filter.from === undefined &&
        filter.to === undefined &&
        (filter.search === undefined || filter.search === "")
      const total = counted
        ? sql<{ total: unknown }>`
          SELECT coalesce(sum(livestreams), 0) AS total FROM onair_livestream_counts
          WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId}
            ${filter.status === undefined ? sql.literal("") : sql`AND status = ${filter.status}`}`
        : sql<{ total: unknown }>`SELECT count(*) AS total FROM onair_livestreams WHERE ${where}`
      const key = `livestreams:${scope.accountId}/${scope.appId}:${JSON.stringify(filter)}`
      const read = Effect.orDie(
        Effect.map(
          Effect.all([pageOf, total]),
          ([rows, totals]): Page<Livestream> => ({
            items: rows.map((row) => decodeLivestream(row.state)),
            total: Number(totals[0]?.total ?? 0)
          })
        )
      )
      return Effect.map(cache.through(key, CatalogCache.LISTS, read), (found) => found ?? { items: [], total: 0 })
    }

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

    const sessionsPage = (livestreamId: LivestreamId, page: PageRequest) =>
      paged(
        sql<{ state: unknown; total: unknown }>`
          SELECT state, count(*) OVER () AS total FROM onair_sessions WHERE livestream_id = ${livestreamId}
          ORDER BY ordinal DESC LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
        sql<{ total: unknown }>`SELECT count(*) AS total FROM onair_sessions WHERE livestream_id = ${livestreamId}`,
        decodeSession
      )

    return CatalogReads.of({
      // Both at once: the cache's follower reads eagerly only while someone waits for it.
      awaitTransaction: (transaction) =>
        Effect.all([watch.awaitTransaction(transaction), cache.awaitTransaction(transaction)], {
          concurrency: 2,
          discard: true
        }),
      livestream: (scope, id) =>
        Effect.map(livestreamById(id), (found) =>
          found === undefined || found.deleted ? undefined : inScope<Livestream>(scope)(found)
        ),
      livestreamById,
      srtLivestreams,
      livestreams,
      session: (scope, id) => Effect.map(sessionById(id), inScope<Session>(scope)),
      sessionById,
      sessionsOf,
      currentOrLastSession: (livestream) => {
        const current = currentSessionId(livestream)
        return current === null
          ? Effect.map(sessionsOf(livestream.id, { pageNo: 1, perPage: 1 }), (newest) => newest.items[0])
          : sessionById(current)
      },
      sessionsStartedIn: (scope, range, counted) => {
        const inScope = sql`account_id = ${scope.accountId} AND app_id = ${scope.appId} AND started_at IS NOT NULL`
        const between = (from: number, to: number) =>
          sql`started_at >= ${iso(from)}::timestamptz AND started_at < ${iso(to)}::timestamptz`
        // Three index ranges: before the counted days, the unsettled ones inside them, after them.
        const query =
          counted === undefined || counted.from >= counted.to
            ? sql<{
                state: unknown
              }>`SELECT state FROM onair_sessions WHERE ${inScope} AND ${between(range.from, range.to)}`
            : sql<{ state: unknown }>`
            SELECT state FROM onair_sessions WHERE ${inScope} AND ${between(range.from, counted.from)}
            UNION ALL
            SELECT state FROM onair_sessions WHERE ${inScope} AND NOT settled AND ${between(counted.from, counted.to)}
            UNION ALL
            SELECT state FROM onair_sessions WHERE ${inScope} AND ${between(counted.to, range.to)}`
        return all(query, decodeSession)
      },
      sessionDays: (scope, days) =>
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
        ),
      ingest: (id) => one(sql<{ state: unknown }>`SELECT state FROM onair_ingests WHERE id = ${id}`, decodeIngest),
      meeting: (scope, id) => Effect.map(meetingById(id), inScope<Meeting>(scope)),
      meetingById,
      meetings: (scope, page) =>
        paged(
          sql<{ state: unknown; total: unknown }>`
            SELECT state, count(*) OVER () AS total FROM onair_meetings
            WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId}
            ORDER BY ordinal DESC LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
          sql<{ total: unknown }>`
            SELECT count(*) AS total FROM onair_meetings WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId}`,
          decodeMeeting
        ),
      meetingSessionsOpenedIn: (scope, range) =>
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
        ),
      accessToken: (id) =>
        cache.through(
          `accessToken:${id}`,
          accessTokenStream(id),
          one(sql<{ state: unknown }>`SELECT state FROM onair_access_tokens WHERE id = ${id}`, decodeAccessToken)
        ),
      cachedAccessToken: (id) => cache.peek<AccessToken>(`accessToken:${id}`),
      webhookEndpoint: (scope, id) =>
        one(
          sql<{ state: unknown }>`
            SELECT state FROM onair_webhook_endpoints
            WHERE id = ${id} AND account_id = ${scope.accountId} AND app_id = ${scope.appId} AND NOT deleted`,
          decodeEndpoint
        ),
      webhookEndpoints: (scope) =>
        all(
          sql<{ state: unknown }>`
            SELECT state FROM onair_webhook_endpoints
            WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId} AND NOT deleted ORDER BY ordinal`,
          decodeEndpoint
        )
    })
  })

  static readonly layer = Layer.effect(CatalogReads, CatalogReads.make)
}

/** The catalog projection's checkpoint as this process sees it (ProjectionWatch). */
export class CatalogWatch extends Context.Service<CatalogWatch, ProjectionWatch.ProjectionWatch>()(
  "@onair/catalog/CatalogWatch"
) {
  static readonly layer = Layer.effect(CatalogWatch, ProjectionWatch.make(PROJECTION))
}
