/**
 * The livestream decider: configuration, key and the state machine of its broadcast
 * (Idle -> Invoked -> Connected <-> Reconnecting -> Idle). It is the consistency boundary for publishing:
 * one publisher per key, one open session per livestream.
 */
import { Result } from "effect"
import type { Decider } from "../Decider.ts"
import { CommandOutOfOrder } from "../DomainError.ts"
import type { SessionId, StreamKey } from "../Ids.ts"
import type { SessionEndReason } from "../session/SessionEndReason.ts"
import { addSeconds, type Timestamp } from "../Time.ts"
import type { LivestreamCommand } from "./LivestreamCommand.ts"
import {
  AlreadyConnected,
  LivestreamAlreadyDisabled,
  LivestreamAlreadyExists,
  type LivestreamError,
  LivestreamNotDisabled,
  LivestreamNotFound,
  NoBroadcastInProgress,
  PublisherNotConnected,
  SessionIdReused,
  StaleTimer,
  StreamKeyDisabled,
  StreamKeyExpired,
  StreamKeyMismatch,
  StreamKeyUnchanged,
  TimerNotDue
} from "./LivestreamError.ts"
import type { LivestreamEvent } from "./LivestreamEvent.ts"
import { EMPTY_MEETING_SECONDS } from "./LivestreamValues.ts"
import type { Livestream, LivestreamState } from "./LivestreamState.ts"
import { ANY_NODE, type PublishRefusal } from "./LivestreamValues.ts"

type Events = Result.Result<ReadonlyArray<LivestreamEvent>, LivestreamError | CommandOutOfOrder>

/**
 * The publish rule, in one place: the ingest decider records its verdict and this decider enforces it.
 * `null` means the encoder may publish.
 */
/**
 * Why a publish with this key at `at` is refused, or null: the livestream's key, or the key its last
 * rotation replaced while its grace lasts (after it: `stream key expired`).
 */
export const authorisePublish = (
  livestream: LivestreamState,
  streamKey: StreamKey,
  at: Timestamp
): PublishRefusal | null => {
  if (livestream === null || livestream.deleted) return "unknown key"
  if (livestream.streamKey !== streamKey) {
    if (livestream.previousKey?.streamKey !== streamKey) return "unknown key"
    if (at >= livestream.previousKey.expiresAt) return "stream key expired"
  }
  if (livestream.disabled !== null) return "stream key disabled"
  // A second request on the live connection itself is refused too: a connection publishes once.
  if (livestream.broadcast._tag === "Connected") return "already connected"
  return null
}

const ended = (
  livestream: Livestream,
  at: Timestamp,
  reason: SessionEndReason,
  errMessage: string | null = null
): ReadonlyArray<LivestreamEvent> => {
  const broadcast = livestream.broadcast
  if (broadcast._tag === "Idle") return []
  return [
    {
      _tag: "BroadcastEnded",
      livestreamId: livestream.id,
      at,
      sessionId: broadcast.sessionId,
      reason,
      errMessage,
      droppedIngestId: broadcast._tag === "Connected" ? broadcast.ingestId : null
    }
  ]
}

const isKnownSession = (livestream: Livestream, sessionId: SessionId): boolean =>
  (livestream.broadcast._tag !== "Idle" && livestream.broadcast.sessionId === sessionId) ||
  livestream.lastBroadcast?.sessionId === sessionId

const connect = (livestream: Livestream, command: Extract<LivestreamCommand, { _tag: "ConnectPublisher" }>): Events => {
  const refusal = authorisePublish(livestream, command.streamKey, command.at)
  const broadcast = livestream.broadcast
  if (refusal === "unknown key") return Result.fail(new StreamKeyMismatch({ livestreamId: livestream.id }))
  if (refusal === "stream key expired") return Result.fail(new StreamKeyExpired({ livestreamId: livestream.id }))
  if (refusal === "stream key disabled") return Result.fail(new StreamKeyDisabled({ livestreamId: livestream.id }))
  if (broadcast._tag === "Connected") {
    return Result.fail(new AlreadyConnected({ livestreamId: livestream.id, connectedIngestId: broadcast.ingestId }))
  }
  const base = { livestreamId: livestream.id, at: command.at, ingestId: command.ingestId }
  if (broadcast._tag === "Invoked") {
    return Result.succeed([{ _tag: "PublisherConnected", ...base, sessionId: broadcast.sessionId, resumed: false }])
  }
  if (broadcast._tag === "Reconnecting" && command.at < broadcast.deadline) {
    return Result.succeed([{ _tag: "PublisherConnected", ...base, sessionId: broadcast.sessionId, resumed: true }])
  }
  // Idle, or back after the window closed but before its timer fired: that session ended at its deadline
  // and this publish opens a new one.
  if (isKnownSession(livestream, command.sessionId)) {
    return Result.fail(new SessionIdReused({ livestreamId: livestream.id, sessionId: command.sessionId }))
  }
  const expired =
    broadcast._tag === "Reconnecting" ? ended(livestream, broadcast.deadline, "reconnection window expired") : []
  return Result.succeed([
    ...expired,
    { _tag: "BroadcastInvoked", livestreamId: livestream.id, at: command.at, sessionId: command.sessionId },
    { _tag: "PublisherConnected", ...base, sessionId: command.sessionId, resumed: false }
  ])
}

const timer = (
  livestream: Livestream,
  command: Extract<
    LivestreamCommand,
    { _tag: "ExpireReconnectWindow" | "ExpireStartTimeout" | "ReachMaximumDuration" | "ExpireEmptyMeeting" }
  >
): Events => {
  const broadcast = livestream.broadcast
  // Made only when refused: an error captures a stack and checks its fields, which costs more than deciding.
  const stale = (): Events => Result.fail(new StaleTimer({ livestreamId: livestream.id, sessionId: command.sessionId }))
  if (broadcast._tag === "Idle" || broadcast.sessionId !== command.sessionId) return stale()
  const due = (dueAt: Timestamp, events: () => ReadonlyArray<LivestreamEvent>): Events =>
    command.at < dueAt
      ? Result.fail(new TimerNotDue({ livestreamId: livestream.id, dueAt, at: command.at }))
      : Result.succeed(events())
  switch (command._tag) {
    case "ExpireReconnectWindow":
      if (broadcast._tag !== "Reconnecting") return stale()
      return due(broadcast.deadline, () => ended(livestream, broadcast.deadline, "reconnection window expired"))
    case "ExpireStartTimeout":
      if (broadcast._tag !== "Invoked") return stale()
      return due(addSeconds(broadcast.invokedAt, livestream.limits.startTimeoutSeconds), () =>
        ended(livestream, command.at, "start timeout")
      )
    case "ReachMaximumDuration":
      if (broadcast._tag === "Invoked") return stale()
      return due(addSeconds(broadcast.startedAt, livestream.limits.maxDurationSeconds), () => [
        ...ended(livestream, command.at, "maximum duration reached"),
        ...(livestream.disabled === null
          ? [
              {
                _tag: "LivestreamDisabled" as const,
                livestreamId: livestream.id,
                at: command.at,
                reason: "maximum duration reached" as const
              }
            ]
          : [])
      ])
    case "ExpireEmptyMeeting": {
      const since = livestream.meetingEmptySince
      if (since === null || livestream.composer === null) return stale()
      // As a stop by its meeting: the broadcast ends and the key is disabled.
      return due(addSeconds(since, EMPTY_MEETING_SECONDS), () => [
        ...ended(livestream, command.at, "last peer left"),
        ...(livestream.disabled === null
          ? [
              {
                _tag: "LivestreamDisabled" as const,
                livestreamId: livestream.id,
                at: command.at,
                reason: "stopped" as const
              }
            ]
          : [])
      ])
    }
  }
}

const decideExisting = (command: LivestreamCommand, livestream: Livestream): Events => {
  const subject = { livestreamId: livestream.id, at: command.at }
  switch (command._tag) {
    case "CreateLivestream":
      return Result.fail(new LivestreamAlreadyExists({ livestreamId: livestream.id }))
    case "RenameLivestream":
      return Result.succeed([{ _tag: "LivestreamRenamed", ...subject, name: command.name }])
    case "SetReconnectWindow":
      return Result.succeed([{ _tag: "ReconnectWindowChanged", ...subject, seconds: command.seconds }])
    case "SetPlacement":
      return Result.succeed([{ _tag: "PlacementChanged", ...subject, placement: command.placement }])
    case "SetRecording":
      return Result.succeed(
        livestream.record === command.record
          ? []
          : [{ _tag: "RecordingSettingChanged", ...subject, record: command.record }]
      )
    case "SetSrtPort":
      return Result.succeed(
        livestream.srtPort === command.port ? [] : [{ _tag: "SrtPortChanged", ...subject, port: command.port }]
      )
    case "SetLatencyMode":
      return Result.succeed(
        livestream.latencyMode === command.latencyMode
          ? []
          : [{ _tag: "LatencyModeChanged", ...subject, latencyMode: command.latencyMode }]
      )
    case "SetDvrWindow":
      return Result.succeed(
        livestream.dvrWindowSeconds === command.seconds
          ? []
          : [{ _tag: "DvrWindowChanged", ...subject, seconds: command.seconds }]
      )
    case "SetRenditions":
      return Result.succeed(
        livestream.renditions.join() === command.renditions.join()
          ? []
          : [{ _tag: "RenditionsChanged", ...subject, renditions: command.renditions }]
      )
    case "DisableLivestream":
      if (livestream.disabled !== null) return Result.fail(new LivestreamAlreadyDisabled(subject))
      return Result.succeed([
        ...ended(livestream, command.at, "disabled"),
        { _tag: "LivestreamDisabled", ...subject, reason: command.reason }
      ])
    case "EnableLivestream":
      if (livestream.disabled === null) return Result.fail(new LivestreamNotDisabled(subject))
      return Result.succeed([{ _tag: "LivestreamEnabled", ...subject }])
    case "RotateStreamKey": {
      if (livestream.streamKey === command.streamKey) return Result.fail(new StreamKeyUnchanged(subject))
      const grace = command.graceSeconds ?? 0
      return Result.succeed([
        {
          _tag: "StreamKeyRotated",
          ...subject,
          streamKey: command.streamKey,
          ...(grace > 0 ? { previousKeyExpiresAt: addSeconds(command.at, grace) } : {})
        }
      ])
    }
    case "DeleteLivestream":
      return Result.succeed([
        ...ended(livestream, command.at, "stopped by request"),
        {
          _tag: "LivestreamDeleted",
          ...subject
        }
      ])
    case "StopBroadcast": {
      const events = [
        ...ended(livestream, command.at, command.reason ?? "stopped by request"),
        ...(livestream.disabled === null
          ? [{ _tag: "LivestreamDisabled" as const, ...subject, reason: "stopped" as const }]
          : [])
      ]
      return events.length === 0 ? Result.fail(new NoBroadcastInProgress(subject)) : Result.succeed(events)
    }
    case "ConnectPublisher":
      return connect(livestream, command)
    case "DisconnectPublisher": {
      const broadcast = livestream.broadcast
      if (broadcast._tag !== "Connected" || broadcast.ingestId !== command.ingestId) {
        return Result.fail(new PublisherNotConnected({ ...subject, ingestId: command.ingestId }))
      }
      const deadline = addSeconds(command.at, livestream.reconnectWindowSeconds)
      const disconnected: LivestreamEvent = {
        _tag: "PublisherDisconnected",
        ...subject,
        sessionId: broadcast.sessionId,
        ingestId: command.ingestId,
        deadline
      }
      // With no reconnect window the encoder closing the stream is the end of the broadcast.
      return Result.succeed(
        livestream.reconnectWindowSeconds === 0
          ? [
              disconnected,
              {
                _tag: "BroadcastEnded",
                ...subject,
                sessionId: broadcast.sessionId,
                reason: "stream closed",
                errMessage: null,
                droppedIngestId: null
              }
            ]
          : [disconnected]
      )
    }
    case "FailPublish": {
      const broadcast = livestream.broadcast
      if (broadcast._tag !== "Connected" || broadcast.ingestId !== command.ingestId) {
        return Result.fail(new PublisherNotConnected({ ...subject, ingestId: command.ingestId }))
      }
      return Result.succeed(ended(livestream, command.at, "publish error", command.message))
    }
    case "AbortBroadcast":
      if (livestream.broadcast._tag === "Idle") return Result.fail(new NoBroadcastInProgress(subject))
      return Result.succeed(ended(livestream, command.at, "internal error", command.message))
    case "ExpireReconnectWindow":
    case "ExpireStartTimeout":
    case "ReachMaximumDuration":
    case "ExpireEmptyMeeting":
      return timer(livestream, command)
    case "MarkMeetingEmpty":
      return Result.succeed(
        livestream.composer === null || livestream.broadcast._tag === "Idle" || livestream.meetingEmptySince !== null
          ? []
          : [{ _tag: "MeetingEmptied", ...subject }]
      )
    case "MarkMeetingOccupied":
      return Result.succeed(livestream.meetingEmptySince === null ? [] : [{ _tag: "MeetingOccupied", ...subject }])
  }
}

export const decide = (command: LivestreamCommand, state: LivestreamState): Events => {
  if (state === null) {
    if (command._tag !== "CreateLivestream") {
      return Result.fail(new LivestreamNotFound({ livestreamId: command.livestreamId }))
    }
    const { _tag, sessionId, ...created } = command
    return Result.succeed([
      { ...created, _tag: "LivestreamCreated" },
      { _tag: "BroadcastInvoked", livestreamId: command.livestreamId, at: command.at, sessionId }
    ])
  }
  if (state.deleted) return Result.fail(new LivestreamNotFound({ livestreamId: state.id }))
  if (command.at < state.updatedAt) {
    return Result.fail(
      new CommandOutOfOrder({ aggregate: "livestream", id: state.id, at: command.at, lastChangedAt: state.updatedAt })
    )
  }
  return decideExisting(command, state)
}

const endBroadcast = (livestream: Livestream, event: Extract<LivestreamEvent, { _tag: "BroadcastEnded" }>) => ({
  ...livestream,
  broadcast: { _tag: "Idle" as const },
  lastBroadcast: { sessionId: event.sessionId, reason: event.reason, endedAt: event.at },
  // The next broadcast counts its meeting's participants afresh.
  meetingEmptySince: null
})

export const evolve = (state: LivestreamState, event: LivestreamEvent): LivestreamState => {
  if (event._tag === "LivestreamCreated") {
    return {
      id: event.livestreamId,
      accountId: event.accountId,
      appId: event.appId,
      name: event.name,
      meetingId: event.meetingId,
      videoConfig: event.videoConfig,
      streamKey: event.streamKey,
      previousKey: null,
      reconnectWindowSeconds: event.reconnectWindowSeconds,
      limits: event.limits,
      placement: event.placement ?? ANY_NODE,
      record: event.record ?? true,
      renditions: event.renditions ?? [],
      latencyMode: event.latencyMode ?? "standard",
      dvrWindowSeconds: event.dvrWindowSeconds ?? 0,
      composer: event.composer ?? null,
      meetingEmptySince: null,
      srtPort: null,
      disabled: null,
      deleted: false,
      broadcast: { _tag: "Idle" },
      lastBroadcast: null,
      createdAt: event.at,
      updatedAt: event.at
    }
  }
  if (state === null) return state
  // `updatedAt` only moves forward: an expired window's end can lie before the command that noticed it.
  const livestream = { ...state, updatedAt: event.at > state.updatedAt ? event.at : state.updatedAt }
  switch (event._tag) {
    case "LivestreamRenamed":
      return { ...livestream, name: event.name }
    case "ReconnectWindowChanged":
      return { ...livestream, reconnectWindowSeconds: event.seconds }
    case "PlacementChanged":
      return { ...livestream, placement: event.placement }
    case "RecordingSettingChanged":
      return { ...livestream, record: event.record }
    case "RenditionsChanged":
      return { ...livestream, renditions: event.renditions }
    case "LatencyModeChanged":
      return { ...livestream, latencyMode: event.latencyMode }
    case "DvrWindowChanged":
      return { ...livestream, dvrWindowSeconds: event.seconds }
    case "SrtPortChanged":
      return { ...livestream, srtPort: event.port }
    case "LivestreamDisabled":
      return { ...livestream, disabled: event.reason }
    case "LivestreamEnabled":
      return { ...livestream, disabled: null }
    case "StreamKeyRotated":
      return {
        ...livestream,
        streamKey: event.streamKey,
        previousKey:
          event.previousKeyExpiresAt === undefined
            ? null
            : { streamKey: livestream.streamKey, expiresAt: event.previousKeyExpiresAt }
      }
    case "LivestreamDeleted":
      return { ...livestream, deleted: true }
    case "MeetingEmptied":
      return { ...livestream, meetingEmptySince: event.at }
    case "MeetingOccupied":
      return { ...livestream, meetingEmptySince: null }
    case "BroadcastInvoked":
      return { ...livestream, broadcast: { _tag: "Invoked", sessionId: event.sessionId, invokedAt: event.at } }
    case "PublisherConnected": {
      const startedAt =
        livestream.broadcast._tag === "Reconnecting" && event.resumed ? livestream.broadcast.startedAt : event.at
      return {
        ...livestream,
        broadcast: {
          _tag: "Connected",
          sessionId: event.sessionId,
          ingestId: event.ingestId,
          startedAt,
          connectedAt: event.at
        }
      }
    }
    case "PublisherDisconnected":
      return {
        ...livestream,
        broadcast: {
          _tag: "Reconnecting",
          sessionId: event.sessionId,
          ingestId: event.ingestId,
          startedAt: livestream.broadcast._tag === "Connected" ? livestream.broadcast.startedAt : event.at,
          disconnectedAt: event.at,
          deadline: event.deadline
        }
      }
    case "BroadcastEnded":
      return endBroadcast(livestream, event)
  }
}

export const LivestreamDecider: Decider<
  LivestreamCommand,
  LivestreamEvent,
  LivestreamState,
  LivestreamError | CommandOutOfOrder
> = { initialState: null, decide, evolve }
