/**
 * The webhook seed's events (seed 004) for OnAir's changes: which event types one change of the log means,
 * each with its `data` as the seed documents it. The envelope (`version`, `id`, `account_id`, `app_id`,
 * `timestamp`, `type`, `data`) is the delivery adapter's.
 *
 * The seed's 100ms ids are mapped to OnAir's nearest (docs/adr/0008-webhooks.md):
 * `room_id` is the meeting id (a livestream of no meeting: the livestream id), `template_id` the app id,
 * `stream_id` the livestream session id, `ingest_id` the encoder connection's id, `peer_id` the participant
 * id, `session_id` (meeting events) the meeting session id.
 */
import type { AccountId, AppId, IngestId, LivestreamId, MeetingId, ParticipantId, SessionId } from "../Ids.ts"
import type { Ingest } from "../ingest/IngestState.ts"
import { type Livestream, status } from "../livestream/LivestreamState.ts"
import type { LivestreamStatus } from "../livestream/LivestreamValues.ts"
import type { Meeting } from "../meeting/MeetingState.ts"
import { isErrorReason } from "../session/SessionEndReason.ts"
import type { Session } from "../session/SessionState.ts"
import type { Timestamp } from "../Time.ts"
import type { Change } from "../workflow/Change.ts"
import { composerEnded, composerHlsFields, composerStarted } from "./ComposerWebhookViews.ts"
import { type PublicUrls, playbackUrl } from "./PublicUrls.ts"

/** Every type OnAir sends, the seed's and `livestream.status.changed`. */
export const WEBHOOK_EVENT_TYPES = [
  "ingest.start.success",
  "ingest.start.failure",
  "ingest.end.success",
  "ingest.failure",
  "hls.started.success",
  "hls.stopped.success",
  "hls.failure",
  "session.open.success",
  "session.close.success",
  "peer.join.success",
  "peer.leave.success",
  "recording.success",
  "recording.failed",
  "hls.recording.success",
  "transcription.started.success",
  "transcription.success",
  "transcription.failure",
  "beam.started.success",
  "beam.stopped.success",
  "beam.failure",
  "beam.recording.success",
  "livestream.status.changed"
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

/** One event for an app, before it has an id and a place in its subject's sequence. */
export interface WebhookMessage {
  readonly type: WebhookEventType
  readonly accountId: AccountId
  readonly appId: AppId
  /** What its sequence number counts: the livestream or the meeting the event is about. */
  readonly subject: LivestreamId | MeetingId
  readonly at: Timestamp
  readonly data: Readonly<Record<string, unknown>>
}

/** The state the mapping reads, as of just after the change (`joinedAt`: as of just before it). */
export interface WebhookWorld {
  readonly livestream: (id: LivestreamId) => Livestream | undefined
  readonly session: (id: SessionId) => Session | undefined
  readonly ingest: (id: IngestId) => Ingest | undefined
  readonly meeting: (id: MeetingId) => Meeting | undefined
  /** When the session's HLS first became playable, if it did. */
  readonly hlsStartedAt: (id: SessionId) => Timestamp | undefined
  /** When a participant joined the meeting's open session. */
  readonly joinedAt: (meetingId: MeetingId, participantId: ParticipantId) => Timestamp | undefined
  readonly urls: PublicUrls
}

/** Seed timestamps: ISO 8601 in UTC to the second (`2023-10-16T12:35:08Z`). */
export const seedTime = (at: number): string => new Date(at - (at % 1000)).toISOString().replace(".000Z", "Z")

const roomOf = (livestream: Livestream): string => livestream.meetingId ?? livestream.id

const seconds = (from: number, to: number) => Math.max(0, Math.floor((to - from) / 1000))

/** A message about a livestream, with the ids every livestream event carries. */
export const livestreamMessage = (
  livestream: Livestream,
  type: WebhookEventType,
  at: Timestamp,
  data: Record<string, unknown>
): WebhookMessage => ({
  type,
  accountId: livestream.accountId,
  appId: livestream.appId,
  subject: livestream.id,
  at,
  data: {
    account_id: livestream.accountId,
    app_id: livestream.appId,
    room_id: roomOf(livestream),
    template_id: livestream.appId,
    livestream_id: livestream.id,
    ...data
  }
})

/**
 * `livestream.status.changed` when a unit of work moved the livestream from `previous` (null: it did not
 * exist) to another status. Called once per unit, so a create says INVOKED once, not IDLE then INVOKED.
 */
export const livestreamStatusChanged = (
  livestream: Livestream,
  previous: LivestreamStatus | null,
  at: Timestamp
): ReadonlyArray<WebhookMessage> => {
  const current = status(livestream)
  if (livestream.deleted || current === previous) return []
  const broadcast = livestream.broadcast
  return [
    livestreamMessage(livestream, "livestream.status.changed", at, {
      status: current,
      previous_status: previous,
      session_id: broadcast._tag === "Idle" ? (livestream.lastBroadcast?.sessionId ?? null) : broadcast.sessionId,
      changed_at: seedTime(at)
    })
  ]
}

const sessionEnded = (world: WebhookWorld, session: Session, at: Timestamp): ReadonlyArray<WebhookMessage> => {
  const livestream = world.livestream(session.livestreamId)
  if (livestream === undefined || session.startedAt === null || session.stoppedAt === null) return []
  const reason = session.endReason ?? "stream closed"
  const stoppedAt = session.stoppedAt
  const ended = livestreamMessage(livestream, "ingest.end.success", at, {
    ingest_id: session.ingestId,
    stream_id: session.id,
    started_at: seedTime(session.startedAt),
    completed_at: seedTime(stoppedAt),
    duration: Math.floor(session.ingestMillis / 1000),
    last_disconnected_at: seedTime(session.lastDisconnectedAt ?? stoppedAt),
    reason
  })
  const failed = isErrorReason(reason)
    ? [
        livestreamMessage(livestream, "ingest.failure", at, {
          ingest_id: session.ingestId,
          stream_id: session.id,
          error_message: reason === "internal error" ? "internal error" : (session.errMessage ?? reason)
        })
      ]
    : []
  const hlsStartedAt = world.hlsStartedAt(session.id)
  if (hlsStartedAt === undefined) return [...failed, ended]
  const hls = {
    session_id: session.id,
    stream_id: session.id,
    url: playbackUrl(world.urls, livestream.id),
    started_at: seedTime(hlsStartedAt),
    session_started_at: seedTime(session.startedAt)
  }
  return [
    ...failed,
    ended,
    ...(failed.length > 0
      ? [
          livestreamMessage(livestream, "hls.failure", at, {
            ...hls,
            ...composerHlsFields(livestream, session, "Failed", at),
            error_code: reason === "internal error" ? 1 : 2,
            error_type: reason === "internal error" ? "INTERNAL_ERROR" : "PUBLISH_ERROR",
            error_message: session.errMessage ?? reason,
            duration: seconds(hlsStartedAt, stoppedAt)
          })
        ]
      : []),
    livestreamMessage(livestream, "hls.stopped.success", at, {
      ...hls,
      ...composerHlsFields(livestream, session, "Stopped", at),
      stopped_at: seedTime(stoppedAt),
      duration: seconds(hlsStartedAt, stoppedAt),
      reason
    })
  ]
}

const ingestMessages = (
  world: WebhookWorld,
  change: Extract<Change, { kind: "ingest" }>
): ReadonlyArray<WebhookMessage> => {
  const event = change.event
  switch (event._tag) {
    case "IngestAccepted": {
      const livestream = world.livestream(event.livestreamId)
      if (livestream === undefined) return []
      const session = world.session(event.sessionId)
      // A composed broadcast's first media is its composer's start; a reconnect continues the same beam.
      const composed =
        session !== undefined && session.startedAt === event.at ? composerStarted(livestream, session, event.at) : []
      return [
        livestreamMessage(livestream, "ingest.start.success", event.at, {
          ingest_id: event.ingestId,
          stream_id: event.sessionId,
          started_at: seedTime(event.at)
        }),
        ...composed
      ]
    }
    case "IngestRefused": {
      // A key that matched no livestream belongs to no app: there is nobody to tell.
      const livestream = event.livestreamId === null ? undefined : world.livestream(event.livestreamId)
      if (livestream === undefined) return []
      return [livestreamMessage(livestream, "ingest.start.failure", event.at, { error_message: event.reason })]
    }
    case "ManifestAvailable": {
      const ingest = world.ingest(event.ingestId)
      if (ingest === undefined || ingest.verdict._tag !== "Accepted") return []
      const { livestreamId, sessionId } = ingest.verdict
      const livestream = world.livestream(livestreamId)
      const session = world.session(sessionId)
      // Once per session: a reconnect's playlist continues the same HLS stream.
      if (livestream === undefined || session === undefined || world.hlsStartedAt(sessionId) !== event.at) return []
      return [
        livestreamMessage(livestream, "hls.started.success", event.at, {
          ...composerHlsFields(livestream, session, "Started", event.at),
          session_id: sessionId,
          stream_id: sessionId,
          url: playbackUrl(world.urls, livestream.id),
          started_at: seedTime(event.at),
          session_started_at: seedTime(session.startedAt ?? event.at)
        })
      ]
    }
    case "RenditionsRefused": {
      // The seed's catalogue has no warning: `hls.failure` with a type of its own says the ladder failed.
      // HLS itself goes on with the source, which the message says.
      const ingest = world.ingest(event.ingestId)
      if (ingest === undefined || ingest.verdict._tag !== "Accepted") return []
      const { livestreamId, sessionId } = ingest.verdict
      const livestream = world.livestream(livestreamId)
      if (livestream === undefined) return []
      return [
        livestreamMessage(livestream, "hls.failure", event.at, {
          session_id: sessionId,
          stream_id: sessionId,
          url: playbackUrl(world.urls, livestream.id),
          error_code: 3,
          error_type: "RENDITIONS_REFUSED",
          error_message: `${event.reason}: the media node passes the source through instead of ${event.renditions.join(", ")}`,
          renditions_refused: event.renditions
        })
      ]
    }
    default:
      return []
  }
}

const meetingMessages = (
  world: WebhookWorld,
  change: Extract<Change, { kind: "meeting" }>
): ReadonlyArray<WebhookMessage> => {
  const event = change.event
  const meeting = world.meeting(event.meetingId)
  if (meeting === undefined) return []
  const message = (type: WebhookEventType, data: Record<string, unknown>): WebhookMessage => ({
    type,
    accountId: meeting.accountId,
    appId: meeting.appId,
    subject: meeting.id,
    at: event.at,
    data: { room_id: meeting.id, room_name: meeting.title ?? "", template_id: meeting.appId, ...data }
  })
  switch (event._tag) {
    case "MeetingSessionOpened":
      return [
        message("session.open.success", {
          session_id: event.meetingSessionId,
          session_started_at: seedTime(event.at)
        })
      ]
    case "MeetingSessionClosed":
      return [
        message("session.close.success", {
          session_id: event.meetingSessionId,
          session_duration: seconds(event.openedAt, event.at),
          session_started_at: seedTime(event.openedAt),
          session_stopped_at: seedTime(event.at)
        })
      ]
    case "ParticipantJoined":
      return [
        message("peer.join.success", {
          session_id: event.meetingSessionId,
          peer_id: event.participantId,
          user_id: event.participantId,
          joined_at: seedTime(event.at),
          session_started_at: seedTime(meeting.session?.openedAt ?? event.at)
        })
      ]
    case "ParticipantLeft": {
      const joinedAt = world.joinedAt(meeting.id, event.participantId) ?? event.at
      return [
        message("peer.leave.success", {
          session_id: event.meetingSessionId,
          peer_id: event.participantId,
          user_id: event.participantId,
          joined_at: seedTime(joinedAt),
          left_at: seedTime(event.at),
          duration: seconds(joinedAt, event.at),
          reason: "client request"
        })
      ]
    }
    default:
      return []
  }
}

/**
 * The webhook events one change means, `world` being the state after it. A livestream's status changes
 * are per unit of work: `livestreamStatusChanged`.
 */
export const webhookMessages = (change: Change, world: WebhookWorld): ReadonlyArray<WebhookMessage> => {
  switch (change.kind) {
    case "livestream":
      return []
    case "session": {
      if (change.event._tag !== "SessionStopped") return []
      const session = world.session(change.event.sessionId)
      if (session === undefined) return []
      const livestream = world.livestream(session.livestreamId)
      return [
        ...sessionEnded(world, session, change.event.at),
        ...(livestream === undefined ? [] : composerEnded(livestream, session, change.event.at))
      ]
    }
    case "ingest":
      return ingestMessages(world, change)
    case "meeting":
      return meetingMessages(world, change)
  }
}
