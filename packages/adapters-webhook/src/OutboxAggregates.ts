/**
 * Every aggregate's state as the outbox needs it to build messages, folded from the log through the core's
 * deciders. It is the outbox's own fold (the catalog's tables are read by the API); applying the same events
 * in the same order always gives the same states.
 */
import {
  type Change,
  type Ingest,
  IngestDecider,
  type IngestId,
  type Livestream,
  LivestreamDecider,
  type LivestreamId,
  type Meeting,
  MeetingDecider,
  type MeetingId,
  type Session,
  SessionDecider,
  type SessionId,
  type StoredEvent
} from "@onair/core"
import { DomainEvents } from "@onair/event-store"
import { Result } from "effect"

export class OutboxAggregates {
  private readonly livestreams = new Map<LivestreamId, Livestream>()
  private readonly sessions = new Map<SessionId, Session>()
  private readonly meetings = new Map<MeetingId, Meeting>()
  private readonly ingests = new Map<IngestId, Ingest>()

  /** Applies one event of an aggregate's stream; anything else (or unreadable) leaves the states as they are. */
  apply(stored: StoredEvent): void {
    if (DomainEvents.parseStream(stored.stream) === undefined) return
    const change = DomainEvents.toChange(stored)
    if (Result.isSuccess(change)) this.applyChange(change.success)
  }

  private applyChange(change: Change): void {
    switch (change.kind) {
      case "livestream": {
        const next = LivestreamDecider.evolve(this.livestreams.get(change.id as LivestreamId) ?? null, change.event)
        if (next !== null) this.livestreams.set(next.id, next)
        return
      }
      case "session": {
        const next = SessionDecider.evolve(this.sessions.get(change.id as SessionId) ?? null, change.event)
        if (next !== null) this.sessions.set(next.id, next)
        return
      }
      case "meeting": {
        const next = MeetingDecider.evolve(this.meetings.get(change.id as MeetingId) ?? null, change.event)
        if (next !== null) this.meetings.set(next.id, next)
        return
      }
      case "ingest": {
        const next = IngestDecider.evolve(this.ingests.get(change.id as IngestId) ?? null, change.event)
        if (next !== null) this.ingests.set(next.id, next)
        return
      }
    }
  }

  livestreamById(id: LivestreamId): Livestream | undefined {
    return this.livestreams.get(id)
  }

  sessionById(id: SessionId): Session | undefined {
    return this.sessions.get(id)
  }

  ingest(id: IngestId): Ingest | undefined {
    return this.ingests.get(id)
  }

  meetingById(id: MeetingId): Meeting | undefined {
    return this.meetings.get(id)
  }
}
