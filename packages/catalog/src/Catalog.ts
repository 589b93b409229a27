/**
 * The read model the API and analytics answer from: every livestream, session and meeting folded from the
 * log through the core's own deciders, indexed by app and by livestream, plus the intervals day-wise
 * analytics counts (meeting sessions). It is a projection: applying the whole log from the start rebuilds
 * it, and applying the same events in the same order always gives the same catalog.
 */
import {
  type AccountId,
  type AggregateKind,
  type AppId,
  type Change,
  currentSessionId,
  type Ingest,
  IngestDecider,
  type IngestId,
  type Interval,
  type Livestream,
  LivestreamDecider,
  isConnected,
  type LivestreamId,
  LOG_START,
  type Meeting,
  MeetingDecider,
  type MeetingId,
  type Position,
  type Session,
  SessionDecider,
  type SessionId,
  type StoredEvent
} from "@onair/core"
import { DomainEvents } from "@onair/event-store"
import { type SnapshotReader } from "@onair/application"
import { Result, Schema } from "effect"

export class CatalogEventUnreadable extends Schema.TaggedError<CatalogEventUnreadable>()("CatalogEventUnreadable", {
  eventId: Schema.String,
  message: Schema.String
}) {}

/** The account and app a caller may see. */
export interface Scope {
  readonly accountId: AccountId
  readonly appId: AppId
}

const scopeKey = (accountId: string, appId: string) => `${accountId}/${appId}`

export interface MeetingSessionInterval extends Interval {
  readonly meetingId: MeetingId
}

export class Catalog {
  private readonly livestreams = new Map<LivestreamId, Livestream>()
  private readonly sessions = new Map<SessionId, Session>()
  private readonly meetings = new Map<MeetingId, Meeting>()
  private readonly ingests = new Map<IngestId, Ingest>()
  private readonly livestreamsByScope = new Map<string, Array<LivestreamId>>()
  private readonly meetingsByScope = new Map<string, Array<MeetingId>>()
  private readonly sessionsByLivestream = new Map<LivestreamId, Array<SessionId>>()
  private readonly meetingSessionsByScope = new Map<string, Array<{ meetingId: MeetingId; startedAt: number; endedAt: number | null }>>()
  private readonly versions = new Map<string, number>()
  private readonly livestreamByKey = new Map<string, LivestreamId>()
  private last: Position = LOG_START

  /** Where in the log the catalog is: everything up to here is applied. */
  get position(): Position {
    return this.last
  }

  /** Applies events in log order; stops at the first one that does not decode. */
  apply(events: ReadonlyArray<StoredEvent>): Result.Result<void, CatalogEventUnreadable> {
    for (const stored of events) {
      if (DomainEvents.parseStream(stored.stream) === undefined) {
        this.last = stored.position
        continue
      }
      const change = DomainEvents.toChange(stored)
      if (Result.isFailure(change)) {
        return Result.fail(new CatalogEventUnreadable({ eventId: stored.id, message: change.failure }))
      }
      this.applyChange(change.success)
      this.versions.set(stored.stream, stored.version)
      this.last = stored.position
    }
    return Result.void
  }

  private applyChange(change: Change): void {
    switch (change.kind) {
      case "livestream": {
        const id = change.id as LivestreamId
        const next = LivestreamDecider.evolve(this.livestreams.get(id) ?? null, change.event)
        if (next === null) return
        if (change.event._tag === "LivestreamCreated") push(this.livestreamsByScope, scopeKey(next.accountId, next.appId), id)
        const previous = this.livestreams.get(id)
        if (previous !== undefined && previous.streamKey !== next.streamKey) this.livestreamByKey.delete(previous.streamKey)
        if (next.deleted) this.livestreamByKey.delete(next.streamKey)
        else this.livestreamByKey.set(next.streamKey, id)
        this.livestreams.set(id, next)
        return
      }
      case "session": {
        const id = change.id as SessionId
        const next = SessionDecider.evolve(this.sessions.get(id) ?? null, change.event)
        if (next === null) return
        if (change.event._tag === "SessionInvoked") push(this.sessionsByLivestream, next.livestreamId, id)
        this.sessions.set(id, next)
        return
      }
      case "meeting": {
        const id = change.id as MeetingId
        const next = MeetingDecider.evolve(this.meetings.get(id) ?? null, change.event)
        if (next === null) return
        const key = scopeKey(next.accountId, next.appId)
        const event = change.event
        if (event._tag === "MeetingCreated") push(this.meetingsByScope, key, id)
        if (event._tag === "MeetingSessionOpened") {
          push(this.meetingSessionsByScope, key, { meetingId: id, startedAt: event.at, endedAt: null })
        }
        if (event._tag === "MeetingSessionClosed") {
          const open = this.meetingSessionsByScope.get(key)?.findLast((s) => s.meetingId === id && s.endedAt === null)
          if (open !== undefined) open.endedAt = event.at
        }
        this.meetings.set(id, next)
        return
      }
      case "ingest": {
        const id = change.id as IngestId
        const next = IngestDecider.evolve(this.ingests.get(id) ?? null, change.event)
        if (next !== null) this.ingests.set(id, next)
        return
      }
    }
  }

  /** A livestream of the scope, deleted ones excepted. */
  livestream(scope: Scope, id: LivestreamId): Livestream | undefined {
    const livestream = this.livestreams.get(id)
    return livestream !== undefined && !livestream.deleted && inScope(livestream, scope) ? livestream : undefined
  }

  /** Every livestream of every scope, deleted ones included. */
  allLivestreams(): Iterable<Livestream> {
    return this.livestreams.values()
  }

  /** The scope's livestreams in the order they were created, deleted ones excepted. */
  livestreamsOf(scope: Scope): ReadonlyArray<Livestream> {
    const ids = this.livestreamsByScope.get(scopeKey(scope.accountId, scope.appId)) ?? []
    return ids.flatMap((id) => {
      const livestream = this.livestreams.get(id)
      return livestream === undefined || livestream.deleted ? [] : [livestream]
    })
  }

  /** A livestream's sessions in the order they were invoked. */
  sessionsOf(livestreamId: LivestreamId): ReadonlyArray<Session> {
    return (this.sessionsByLivestream.get(livestreamId) ?? []).flatMap((id) => {
      const session = this.sessions.get(id)
      return session === undefined ? [] : [session]
    })
  }

  /** A session of the scope. */
  session(scope: Scope, id: SessionId): Session | undefined {
    const session = this.sessions.get(id)
    return session !== undefined && inScope(session, scope) ? session : undefined
  }

  /** Every session of the scope's livestreams, deleted livestreams included (their broadcasts happened). */
  sessionsOfScope(scope: Scope): ReadonlyArray<Session> {
    const ids = this.livestreamsByScope.get(scopeKey(scope.accountId, scope.appId)) ?? []
    return ids.flatMap((id) => this.sessionsOf(id))
  }

  /** An encoder connection, by the media server's id for it. */
  ingest(id: IngestId): Ingest | undefined {
    return this.ingests.get(id)
  }

  /**
   * Every aggregate's state with its stream's version, for the command path's first attempt (the
   * catalog folds each stream with the same deciders the command path does).
   */
  readonly snapshots: SnapshotReader.AggregateSnapshots = {
    livestream: (id) => ({ state: this.livestreams.get(id as LivestreamId) ?? null, version: this.versionOf("livestream", id) }),
    session: (id) => ({ state: this.sessions.get(id as SessionId) ?? null, version: this.versionOf("session", id) }),
    ingest: (id) => ({ state: this.ingests.get(id as IngestId) ?? null, version: this.versionOf("ingest", id) }),
    meeting: (id) => ({ state: this.meetings.get(id as MeetingId) ?? null, version: this.versionOf("meeting", id) }),
    livestreamIdByStreamKey: (key) => this.livestreamByKey.get(key) ?? null
  }

  private versionOf(kind: AggregateKind, id: string): number {
    return this.versions.get(DomainEvents.streamName(kind, id)) ?? 0
  }

  /** Connections the catalog holds as publishing now: the media server's sweep after it lost them. */
  *connectedIngests(): Iterable<Ingest> {
    for (const ingest of this.ingests.values()) if (isConnected(ingest)) yield ingest
  }

  /** A session by id alone (no account scope): for the media plane and webhooks. */
  sessionById(id: SessionId): Session | undefined {
    return this.sessions.get(id)
  }

  /** A meeting by id alone (no account scope): for webhooks. */
  meetingById(id: MeetingId): Meeting | undefined {
    return this.meetings.get(id)
  }

  /** A livestream by id alone, for the media plane (which has no account scope); deleted ones too. */
  livestreamById(id: LivestreamId): Livestream | undefined {
    return this.livestreams.get(id)
  }

  /** The current session of a livestream, or its last one when none is invoked or open. */
  currentOrLastSession(livestream: Livestream): Session | undefined {
    const current = currentSessionId(livestream)
    if (current !== null) return this.sessions.get(current)
    return this.sessionsOf(livestream.id).at(-1)
  }

  meeting(scope: Scope, id: MeetingId): Meeting | undefined {
    const meeting = this.meetings.get(id)
    return meeting !== undefined && inScope(meeting, scope) ? meeting : undefined
  }

  meetingsOf(scope: Scope): ReadonlyArray<Meeting> {
    return (this.meetingsByScope.get(scopeKey(scope.accountId, scope.appId)) ?? []).flatMap((id) => {
      const meeting = this.meetings.get(id)
      return meeting === undefined ? [] : [meeting]
    })
  }

  /** The scope's meeting sessions, open ones with `endedAt` null. */
  meetingSessionsOf(scope: Scope): ReadonlyArray<MeetingSessionInterval> {
    return (this.meetingSessionsByScope.get(scopeKey(scope.accountId, scope.appId)) ?? []).map((s) => ({
      meetingId: s.meetingId,
      startedAt: s.startedAt as Interval["startedAt"],
      endedAt: s.endedAt as Interval["endedAt"]
    }))
  }
}

const inScope = (subject: { readonly accountId: string; readonly appId: string }, scope: Scope) =>
  subject.accountId === scope.accountId && subject.appId === scope.appId

const push = <K, V>(map: Map<K, Array<V>>, key: K, value: V) => {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}
