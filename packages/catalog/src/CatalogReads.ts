/**
 * What the API, the media plane and webhooks read: indexed queries on the catalog's tables, shared by
 * every process on the database, one module per entity (`LivestreamQueries`, `SessionQueries`,
 * `MeetingQueries`, `AccessQueries`), with a bounded cache of the hottest (a livestream, a page of its
 * sessions, a page of an app's livestreams, an API token) kept correct by the log (`CatalogCache`). A
 * reader after a write waits for the tables and the cache to include it (`awaitTransaction`): the
 * projection's checkpoint, watched across processes (`CatalogWatch`), and this process's follower of the
 * log. The tables are read, never written, here.
 */
import type {
  AccessToken,
  AccessTokenId,
  Ingest,
  IngestId,
  Livestream,
  LivestreamId,
  Meeting,
  MeetingId,
  Session,
  SessionDayTotals,
  SessionId,
  WebhookEndpoint
} from "@onair/core"
import { EventStore } from "@onair/core"
import { SecretKeyring } from "@onair/event-store"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { accessQueries } from "./AccessQueries.ts"
import * as CatalogCache from "./CatalogCache.ts"
import type { LivestreamFilter, MeetingSessionInterval, Page, PageRequest, Range, Scope } from "./CatalogQueries.ts"
import { endpointStates, livestreamStates } from "./CatalogStates.ts"
import { PROJECTION } from "./CatalogTables.ts"
import { CatalogWatch } from "./CatalogWatch.ts"
import { inScope } from "./CatalogQueries.ts"
import { livestreamQueries } from "./LivestreamQueries.ts"
import { meetingQueries } from "./MeetingQueries.ts"
import { sessionQueries } from "./SessionQueries.ts"

export type { LivestreamFilter, MeetingSessionInterval, Page, PageRequest, Range, Scope } from "./CatalogQueries.ts"
export { CatalogWatch } from "./CatalogWatch.ts"

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
    /** The livestreams whose composer runs on a node, with a broadcast invoked or open (deleted ones excepted). */
    readonly composersOn: (nodeId: string) => Effect.Effect<ReadonlyArray<Livestream>>
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
    const store = yield* EventStore
    const cache = yield* CatalogCache.make(yield* Effect.orDie(store.loadCheckpoint(PROJECTION)), watch.reached)
    const livestreams = livestreamQueries(sql, cache, livestreamStates(keyring).decode)
    return CatalogReads.of({
      // Both at once: the cache's follower reads eagerly only while someone waits for it.
      awaitTransaction: (transaction) =>
        Effect.all([watch.awaitTransaction(transaction), cache.awaitTransaction(transaction)], {
          concurrency: 2,
          discard: true
        }),
      livestream: (scope, id) =>
        Effect.map(livestreams.livestreamById(id), (found) =>
          found === undefined || found.deleted ? undefined : inScope<Livestream>(scope)(found)
        ),
      ...livestreams,
      ...sessionQueries(sql, cache),
      ...meetingQueries(sql),
      ...accessQueries(sql, cache, endpointStates(keyring).decode)
    })
  })

  static readonly layer = Layer.effect(CatalogReads, CatalogReads.make)
}
