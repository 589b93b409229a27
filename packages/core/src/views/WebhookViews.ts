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
import type { LivestreamStatus, PublishRefusal } from "../livestream/LivestreamValues.ts"
import type { Meeting } from "../meeting/MeetingState.ts"
import type { ParticipantProfile } from "../meeting/MeetingValues.ts"
import { isErrorReason, type SessionEndReason } from "../session/SessionEndReason.ts"
import type { Session } from "../session/SessionState.ts"
import type { Timestamp } from "../Time.ts"
import type { Change } from "../workflow/Change.ts"
import { composerEnded, composerStarted, SEED_ERROR_CODES } from "./ComposerWebhookViews.ts"
import { meetingMessages } from "./MeetingWebhookViews.ts"
import { finerReason, hlsFields, seedErrorType, seedStopReason } from "./HlsWebhookFields.ts"
import { isSeedValue, seedFieldNames } from "../webhook/SeedWebhookConformance.ts"
import { type PublicUrls, playbackUrl } from "./PublicUrls.ts"
import { seedTime, wholeSeconds } from "./SeedTime.ts"

export { seedTime } from "./SeedTime.ts"

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
  "room.end.success",
  "room.end.failure",
  "role.change.success",
  "role.change.failure",
  "peer.join.failure",
  "peer.leave.failure",
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
  /** When a participant joined the meeting's open session, and what the engine said of it then. */
  readonly joined: (
    meetingId: MeetingId,
    participantId: ParticipantId
  ) => { readonly at: Timestamp; readonly profile: ParticipantProfile | null } | undefined
  readonly urls: PublicUrls
}

const roomOf = (livestream: Livestream): string => livestream.meetingId ?? livestream.id

/** The seed's `ingest.end.success` reason: OnAir's own where the seed has it, else the stream closed. */
const ingestEndReason = (reason: SessionEndReason) =>
  isSeedValue("ingest.end.success", "reason", reason) ? reason : "stream closed"

/** The seed's `ingest.start.failure` message for OnAir's refusal (OnAir's own kept in `onair_reason`). */
const INGEST_START_FAILURE: { readonly [R in PublishRefusal]: string } = {
  "unknown key": "stream key disabled",
  "stream key disabled": "stream key disabled",
  "already connected": "already connected",
  // Another node holds the livestream's session.
  "wrong media node": "remote session active",
  "media node not accepting": "internal error",
  // The key a rotation replaced, after its grace: as good as disabled.
  "stream key expired": "stream key disabled"
}

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
  const endReason = ingestEndReason(reason)
  const ended = livestreamMessage(livestream, "ingest.end.success", at, {
    ingest_id: session.ingestId,
    stream_id: session.id,
    started_at: seedTime(session.startedAt),
    completed_at: seedTime(stoppedAt),
    duration: Math.floor(session.ingestMillis / 1000),
    last_disconnected_at: seedTime(session.lastDisconnectedAt ?? stoppedAt),
    reason: endReason,
    ...finerReason(endReason, reason)
  })
  const failed = isErrorReason(reason)
    ? [
        livestreamMessage(livestream, "ingest.failure", at, {
          ingest_id: session.ingestId,
          stream_id: session.id,
          // The seed's one message; what went wrong is OnAir's to say.
          error_message: "internal error",
          ...finerReason("internal error", session.errMessage ?? reason)
        })
      ]
    : []
  const hlsStartedAt = world.hlsStartedAt(session.id)
  if (hlsStartedAt === undefined) return [...failed, ended]
  const errorType = seedErrorType(livestream, session)
  const stopReason = seedStopReason(livestream, session)
  return [
    ...failed,
    ended,
    ...(errorType !== null
      ? [
          livestreamMessage(livestream, "hls.failure", at, {
            ...hlsFields(world, livestream, session, "HLSFailed", at, hlsStartedAt),
            error_code: SEED_ERROR_CODES[errorType],
            error_type: errorType,
            error_message: session.errMessage ?? reason,
            ...(reason === "publish error" ? { onair_error_type: "PUBLISH_ERROR" } : {}),
            duration: wholeSeconds(hlsStartedAt, stoppedAt)
          })
        ]
      : []),
    livestreamMessage(livestream, "hls.stopped.success", at, {
      ...hlsFields(world, livestream, session, "HLSStopped", at, hlsStartedAt),
      url: playbackUrl(world.urls, livestream.id),
      started_at: seedTime(hlsStartedAt),
      stopped_at: seedTime(stoppedAt),
      duration: wholeSeconds(hlsStartedAt, stoppedAt),
      reason: stopReason,
      ...finerReason(stopReason, reason),
      // OnAir transcribes recordings, not live streams.
      live_transcription_enabled: false
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
      const message = INGEST_START_FAILURE[event.reason]
      return [
        livestreamMessage(livestream, "ingest.start.failure", event.at, {
          error_message: message,
          ...finerReason(message, event.reason)
        })
      ]
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
          ...hlsFields(world, livestream, session, "HLSStarted", event.at, event.at),
          url: playbackUrl(world.urls, livestream.id),
          started_at: seedTime(event.at)
        })
      ]
    }
    case "RenditionsRefused": {
      // The seed's catalogue has no warning: `hls.failure` (OnAir's `onair_error_type` says the ladder failed).
      // HLS itself goes on with the source, which the message says.
      const ingest = world.ingest(event.ingestId)
      if (ingest === undefined || ingest.verdict._tag !== "Accepted") return []
      const { livestreamId, sessionId } = ingest.verdict
      const livestream = world.livestream(livestreamId)
      const session = world.session(sessionId)
      if (livestream === undefined || session === undefined) return []
      const hlsStartedAt = world.hlsStartedAt(sessionId)
      return [
        livestreamMessage(livestream, "hls.failure", event.at, {
          ...hlsFields(world, livestream, session, "HLSFailed", event.at, hlsStartedAt),
          error_code: 3,
          error_type: "INTERNAL_ERROR",
          onair_error_type: "RENDITIONS_REFUSED",
          duration: hlsStartedAt === undefined ? 0 : wholeSeconds(hlsStartedAt, event.at),
          error_message: `${event.reason}: the media node passes the source through instead of ${event.renditions.join(", ")}`,
          renditions_refused: event.renditions
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

/**
 * A message with its own id and creation time in the seed's `metadata_id` and `metadata_timestamp`
 * ("webhook metadata ID", "webhook message creation timestamp", to the millisecond), for the types whose
 * table lists them.
 */
export const stampMetadata = (message: WebhookMessage, id: string): WebhookMessage =>
  seedFieldNames(message.type).includes("metadata_id")
    ? {
        ...message,
        data: { ...message.data, metadata_id: id, metadata_timestamp: new Date(message.at).toISOString() }
      }
    : message
