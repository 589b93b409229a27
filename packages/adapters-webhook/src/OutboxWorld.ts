/**
 * What the outbox knows at one point of the log: every aggregate (folded with the core's deciders), every
 * webhook endpoint, when each session's HLS started, when participants joined, and how many messages each livestream and meeting has had. Fed every event in log order, it answers each event's
 * webhook messages with their ids, sequence numbers and receiving endpoints: all functions of the log, so a
 * replay gives the same answers.
 */
import {
  comparePositions,
  isReceiving,
  livestreamStatusChanged,
  type LivestreamId,
  type LivestreamStatus,
  matchesEventType,
  type MeetingId,
  type ParticipantId,
  type Position,
  type PublicUrls,
  type SessionId,
  status,
  type StoredEvent,
  type Timestamp,
  type WebhookEndpoint,
  type WebhookMessage,
  webhookMessages,
  type WebhookWorld
} from "@onair/core"
import { DomainEvents } from "@onair/event-store"
import { Result } from "effect"
import { createHash } from "node:crypto"
import { ENDPOINT_STREAM_PREFIX, foldEndpointEvent } from "./EndpointIndex.ts"
import { OutboxAggregates } from "./OutboxAggregates.ts"

/** A message ready to store: its id, its place in its subject's sequence, and who receives it. */
export interface Outgoing {
  readonly id: string
  readonly sequence: number
  readonly message: WebhookMessage
  readonly endpointIds: ReadonlyArray<string>
}

/**
 * A uuid made from a name (the SHA-1 of it, with the version 5 and variant bits set, as RFC 9562 name-based
 * uuids are): the same event gives the same message id in every run.
 */
export const uuidFrom = (name: string): string => {
  const hex = createHash("sha1").update(`onair-webhook:${name}`).digest("hex")
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export class OutboxWorld {
  readonly catalog = new OutboxAggregates()
  readonly endpoints = new Map<string, WebhookEndpoint>()
  private readonly hlsStarted = new Map<SessionId, Timestamp>()
  private readonly joined = new Map<string, Timestamp>()
  private readonly sequences = new Map<string, number>()
  private readonly world: WebhookWorld

  constructor(urls: PublicUrls) {
    const catalog = this.catalog
    this.world = {
      livestream: (id) => catalog.livestreamById(id),
      session: (id) => catalog.sessionById(id),
      ingest: (id) => catalog.ingest(id),
      meeting: (id) => catalog.meetingById(id),
      hlsStartedAt: (id) => this.hlsStarted.get(id),
      joinedAt: (meetingId, participantId) => this.joined.get(`${meetingId}/${participantId}`),
      urls
    }
  }

  /**
   * Applies a batch in log order and answers the messages of the events after `from` (those up to it were
   * stored by an earlier run: folding them only brings the world and the sequences up to date).
   */
  applyBatch(events: ReadonlyArray<StoredEvent>, from: Position): Array<Outgoing> {
    const outgoing: Array<Outgoing> = []
    // Each unit of work (one transaction) changes a livestream's status at most once.
    let unit: { transaction: number; before: Map<LivestreamId, LivestreamStatus | null>; last: StoredEvent } | null = null
    const closeUnit = () => {
      if (unit === null) return
      const fresh = comparePositions(unit.last.position, from) > 0
      for (const [id, previous] of unit.before) {
        const livestream = this.catalog.livestreamById(id)
        if (livestream === undefined) continue
        const at = livestream.updatedAt
        this.emit(livestreamStatusChanged(livestream, previous, at), `${unit.last.id}:status:${id}`, fresh, outgoing)
      }
      unit = null
    }
    for (const stored of events) {
      if (unit !== null && unit.transaction !== stored.position.transaction) closeUnit()
      unit ??= { transaction: stored.position.transaction, before: new Map(), last: stored }
      unit.last = stored
      const fresh = comparePositions(stored.position, from) > 0
      const subject = stored.stream.startsWith(ENDPOINT_STREAM_PREFIX) ? undefined : DomainEvents.parseStream(stored.stream)
      if (subject?.kind === "livestream" && !unit.before.has(subject.id as LivestreamId)) {
        const livestream = this.catalog.livestreamById(subject.id as LivestreamId)
        unit.before.set(subject.id as LivestreamId, livestream === undefined ? null : status(livestream))
      }
      this.emit(this.apply(stored), stored.id, fresh, outgoing)
    }
    closeUnit()
    return outgoing
  }

  /** Numbers the messages in their subjects' sequences and keeps them when they are new. */
  private emit(messages: ReadonlyArray<WebhookMessage>, name: string, fresh: boolean, into: Array<Outgoing>) {
    messages.forEach((message, index) => {
      const sequence = (this.sequences.get(message.subject) ?? 0) + 1
      this.sequences.set(message.subject, sequence)
      if (fresh) into.push({ id: uuidFrom(`${name}:${index}`), sequence, message, endpointIds: this.receivers(message) })
    })
  }

  /** Applies one event; the messages it means on its own (status changes are the unit's). */
  private apply(stored: StoredEvent): ReadonlyArray<WebhookMessage> {
    if (foldEndpointEvent(this.endpoints, stored)) return []
    const change = DomainEvents.toChange(stored)
    this.catalog.apply(stored)
    if (Result.isFailure(change)) return []
    const { kind, event } = change.success
    if (kind === "ingest" && event._tag === "ManifestAvailable") {
      const ingest = this.catalog.ingest(event.ingestId)
      if (ingest?.verdict._tag === "Accepted" && !this.hlsStarted.has(ingest.verdict.sessionId)) {
        this.hlsStarted.set(ingest.verdict.sessionId, event.at)
      }
    }
    const messages = webhookMessages(change.success, this.world)
    if (kind === "meeting") this.trackParticipants(event)
    return messages
  }

  /** The endpoints of the message's app that take its type now. */
  private receivers(message: WebhookMessage): ReadonlyArray<string> {
    const ids: Array<string> = []
    for (const endpoint of this.endpoints.values()) {
      if (
        endpoint.accountId === message.accountId && endpoint.appId === message.appId && isReceiving(endpoint) &&
        matchesEventType(endpoint.eventTypes, message.type)
      ) ids.push(endpoint.id)
    }
    return ids
  }

  private trackParticipants(event: { readonly _tag: string; readonly meetingId?: unknown; readonly participantId?: unknown; readonly at: Timestamp }) {
    const key = `${event.meetingId as MeetingId}/${event.participantId as ParticipantId}`
    if (event._tag === "ParticipantJoined") this.joined.set(key, event.at)
    if (event._tag === "ParticipantLeft") this.joined.delete(key)
  }
}
