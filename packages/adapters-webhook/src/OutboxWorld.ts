/**
 * What the outbox knows at one point of the log: every aggregate (folded with the core's deciders), every
 * webhook endpoint, when each session's HLS started, when participants joined, and how many messages each livestream and meeting has had. Fed every event in log order, it answers each event's
 * webhook messages with their ids, sequence numbers and receiving endpoints: all functions of the log, so a
 * replay gives the same answers.
 */
import {
  type Change,
  IngestDecider,
  type Ingest,
  type IngestId,
  isReceiving,
  type Livestream,
  LivestreamDecider,
  livestreamStatusChanged,
  type LivestreamId,
  type LivestreamStatus,
  matchesEventType,
  type Meeting,
  MeetingDecider,
  type MeetingId,
  type ParticipantId,
  type ParticipantProfile,
  type PublicUrls,
  type Recording,
  RecordingDecider,
  RecordingEvent,
  recordingMessages,
  RECORDING_CATEGORY,
  type RecordingWebhookWorld,
  RestreamDecider,
  RestreamEvent,
  restreamMessages,
  RESTREAM_TARGET_CATEGORY,
  type RestreamTarget,
  type Session,
  SessionDecider,
  stampMetadata,
  status,
  type StoredEvent,
  type Timestamp,
  type WebhookEndpoint,
  WebhookEndpointDecider,
  WebhookEndpointEvent,
  type WebhookMessage,
  webhookMessages,
  type WebhookWorld
} from "@onair/core"
import { DomainEvents } from "@onair/event-store"
import { Result, Schema } from "effect"
import { createHash } from "node:crypto"
import { ENDPOINT_STREAM_PREFIX } from "./EndpointStreams.ts"
import { appKey, type OutboxState } from "./OutboxState.ts"

/** A message ready to store: its id, its place in its subject's sequence, and who receives it. */
export interface Outgoing {
  readonly id: string
  readonly sequence: number
  readonly message: WebhookMessage
  readonly endpointIds: ReadonlyArray<string>
  /** The `traceparent` of the append that caused it, when one was recorded. */
  readonly traceParent: string | null
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

const decodeEndpointEvent = Schema.decodeUnknownResult(WebhookEndpointEvent)
const decodeRecordingEvent = Schema.decodeUnknownResult(RecordingEvent)
const RECORDING_STREAM_PREFIX = `${RECORDING_CATEGORY}-`
const decodeRestreamEvent = Schema.decodeUnknownResult(RestreamEvent)
const RESTREAM_STREAM_PREFIX = `${RESTREAM_TARGET_CATEGORY}-`

// biome-ignore lint/suspicious/noExplicitAny: each kind's decider evolves its own state with its own events; the outbox routes them by stream
type Evolve = (state: any, event: any) => any
const EVOLVE: Readonly<Record<Change["kind"], Evolve>> = {
  livestream: LivestreamDecider.evolve,
  session: SessionDecider.evolve,
  ingest: IngestDecider.evolve,
  meeting: MeetingDecider.evolve
}

export class OutboxWorld {
  private readonly world: WebhookWorld
  private readonly recordingWorld: RecordingWebhookWorld
  private readonly state: OutboxState

  /** `signedUrl`: a recording file's signed link (`RecordingLinks`). */
  constructor(urls: PublicUrls, state: OutboxState, signedUrl: RecordingWebhookWorld["signedUrl"]) {
    this.state = state
    this.world = {
      livestream: (id) => state.read<Livestream>(`livestream:${id}`),
      session: (id) => state.read<Session>(`session:${id}`),
      ingest: (id) => state.read<Ingest>(`ingest:${id}`),
      meeting: (id) => state.read<Meeting>(`meeting:${id}`),
      hlsStartedAt: (id) => state.read<Timestamp>(`hls:${id}`),
      joined: (meetingId, participantId) => {
        // Kept as a bare time before profiles were.
        const kept = state.read<Timestamp | { at: Timestamp; profile: ParticipantProfile | null }>(
          `joined:${meetingId}/${participantId}`
        )
        return kept === undefined ? undefined : typeof kept === "number" ? { at: kept, profile: null } : kept
      },
      urls
    }
    this.recordingWorld = { livestream: this.world.livestream, session: this.world.session, signedUrl }
  }

  /** Applies a batch in log order and answers its messages. */
  applyBatch(events: ReadonlyArray<StoredEvent>): Array<Outgoing> {
    const outgoing: Array<Outgoing> = []
    // Each unit of work (one transaction) changes a livestream's status at most once.
    let unit: { transaction: number; before: Map<LivestreamId, LivestreamStatus | null>; last: StoredEvent } | null =
      null
    const closeUnit = () => {
      if (unit === null) return
      for (const [id, previous] of unit.before) {
        const livestream = this.world.livestream(id)
        if (livestream === undefined) continue
        const at = livestream.updatedAt
        this.emit(
          livestreamStatusChanged(livestream, previous, at),
          `${unit.last.id}:status:${id}`,
          unit.last,
          outgoing
        )
      }
      unit = null
    }
    for (const stored of events) {
      if (unit !== null && unit.transaction !== stored.position.transaction) closeUnit()
      unit ??= { transaction: stored.position.transaction, before: new Map(), last: stored }
      unit.last = stored
      const subject = stored.stream.startsWith(ENDPOINT_STREAM_PREFIX)
        ? undefined
        : DomainEvents.parseStream(stored.stream)
      if (subject?.kind === "livestream" && !unit.before.has(subject.id as LivestreamId)) {
        const livestream = this.world.livestream(subject.id as LivestreamId)
        unit.before.set(subject.id as LivestreamId, livestream === undefined ? null : status(livestream))
      }
      this.emit(this.apply(stored), stored.id, stored, outgoing)
    }
    closeUnit()
    return outgoing
  }

  /** Numbers the messages in their subjects' sequences. */
  private emit(messages: ReadonlyArray<WebhookMessage>, name: string, cause: StoredEvent, into: Array<Outgoing>) {
    messages.forEach((message, index) => {
      const id = uuidFrom(`${name}:${index}`)
      const sequence = (this.state.read<number>(`seq:${message.subject}`) ?? 0) + 1
      this.state.write(`seq:${message.subject}`, sequence)
      into.push({
        id,
        sequence,
        message: stampMetadata(message, id),
        endpointIds: this.receivers(message),
        traceParent: cause.metadata.traceParent ?? null
      })
    })
  }

  /** Applies one event; the messages it means on its own (status changes are the unit's). */
  private apply(stored: StoredEvent): ReadonlyArray<WebhookMessage> {
    if (stored.stream.startsWith(ENDPOINT_STREAM_PREFIX)) {
      this.applyEndpointEvent(stored)
      return []
    }
    if (stored.stream.startsWith(RECORDING_STREAM_PREFIX)) return this.applyRecordingEvent(stored)
    if (stored.stream.startsWith(RESTREAM_STREAM_PREFIX)) return this.applyRestreamEvent(stored)
    if (DomainEvents.parseStream(stored.stream) === undefined) return []
    const change = DomainEvents.toChange(stored)
    if (Result.isFailure(change)) return []
    const { kind, id, event } = change.success
    const key = `${kind}:${id}`
    const next = EVOLVE[kind](this.state.read(key) ?? null, event)
    if (next !== null) this.state.write(key, next)
    if (kind === "ingest" && event._tag === "ManifestAvailable") {
      const ingest = this.world.ingest(event.ingestId as IngestId)
      if (ingest?.verdict._tag === "Accepted" && this.world.hlsStartedAt(ingest.verdict.sessionId) === undefined) {
        this.state.write(`hls:${ingest.verdict.sessionId}`, event.at)
      }
    }
    const messages = webhookMessages(change.success, this.world)
    if (kind === "meeting") this.trackParticipants(event)
    return messages
  }

  /** A recording's event: its state is kept (`recording:<id>`) for the messages of its later events. */
  private applyRecordingEvent(stored: StoredEvent): ReadonlyArray<WebhookMessage> {
    const event = decodeRecordingEvent(stored.data)
    if (Result.isFailure(event)) return []
    const key = `recording:${event.success.recordingId}`
    const next = RecordingDecider.evolve(this.state.read<Recording>(key) ?? null, event.success)
    if (next === null) return []
    // A deleted recording sends nothing more: its state is not needed again.
    this.state.write(key, next.deletedAt === null ? next : null)
    return recordingMessages(next, event.success, this.recordingWorld)
  }

  /** A restream target's event; its state is kept without its stream key (`restreamTarget:<id>`). */
  private applyRestreamEvent(stored: StoredEvent): ReadonlyArray<WebhookMessage> {
    const event = decodeRestreamEvent(stored.data)
    if (Result.isFailure(event)) return []
    const key = `restreamTarget:${event.success.targetId}`
    const before = this.state.read<RestreamTarget>(key) ?? null
    const next = RestreamDecider.evolve(before, event.success)
    if (next === null) return []
    this.state.write(key, next.deleted ? null : { ...next, streamKey: "" })
    return restreamMessages(before, next, event.success, this.world)
  }

  /** An endpoint's event, kept without the endpoint's secrets. */
  private applyEndpointEvent(stored: StoredEvent) {
    const event = decodeEndpointEvent(stored.data)
    if (Result.isFailure(event)) return
    const key = `endpoint:${event.success.endpointId}`
    const next = WebhookEndpointDecider.evolve(this.state.read<WebhookEndpoint>(key) ?? null, event.success)
    if (next === null) return
    this.state.write(key, { ...next, secrets: [] })
    this.state.wroteEndpoint(next.id, appKey(next.accountId, next.appId))
  }

  /** The endpoints of the message's app that take its type now. */
  private receivers(message: WebhookMessage): ReadonlyArray<string> {
    const ids: Array<string> = []
    for (const id of this.state.endpointIdsOf(appKey(message.accountId, message.appId))) {
      const endpoint = this.state.read<WebhookEndpoint>(`endpoint:${id}`)
      if (endpoint !== undefined && isReceiving(endpoint) && matchesEventType(endpoint.eventTypes, message.type))
        ids.push(endpoint.id)
    }
    return ids.sort()
  }

  private trackParticipants(event: {
    readonly _tag: string
    readonly meetingId?: unknown
    readonly participantId?: unknown
    readonly profile?: ParticipantProfile
    readonly at: Timestamp
  }) {
    const key = `joined:${event.meetingId as MeetingId}/${event.participantId as ParticipantId}`
    if (event._tag === "ParticipantJoined") this.state.write(key, { at: event.at, profile: event.profile ?? null })
    if (event._tag === "ParticipantLeft") this.state.write(key, null)
  }
}
