/**
 * The restream target decider. Its owner creates, changes (a disable stops a running relay) and deletes
 * it (a running relay stops first). Its relay, per session: started when the livestream goes live
 * (connecting, attempt 1), live when the target takes the stream, retrying after a failed attempt (1 s, 2
 * s, 4 s … at most 30 s apart) until it has failed for the give-up time in a row (failed, with the
 * reason), stopped when the session ends. A repeat of a start or a stop changes nothing.
 */
import { Result } from "effect"
import type { Decider } from "../Decider.ts"
import { CommandOutOfOrder } from "../DomainError.ts"
import type { RestreamCommand } from "./RestreamCommand.ts"
import {
  RelayNotRunning,
  RestreamTargetAlreadyExists,
  RestreamTargetDeleted,
  RestreamTargetDisabled,
  type RestreamError,
  RestreamTargetNotFound
} from "./RestreamError.ts"
import type { RestreamEvent } from "./RestreamEvent.ts"
import { relayingSession, type RestreamState, type RestreamTarget } from "./RestreamState.ts"
import { relayBackoffMillis } from "./RestreamValues.ts"

type Events = Result.Result<ReadonlyArray<RestreamEvent>, RestreamError | CommandOutOfOrder>

const notRunning = (target: RestreamTarget) =>
  Result.fail(new RelayNotRunning({ targetId: target.id, phase: target.relay._tag }))

const decideExisting = (command: RestreamCommand, target: RestreamTarget): Events => {
  const subject = { targetId: target.id, at: command.at }
  const running = relayingSession(target)
  if (target.deleted) {
    return command._tag === "StopRelay"
      ? Result.succeed([])
      : Result.fail(new RestreamTargetDeleted({ targetId: target.id }))
  }
  switch (command._tag) {
    case "CreateRestreamTarget":
      return Result.fail(new RestreamTargetAlreadyExists({ targetId: target.id }))
    case "UpdateRestreamTarget": {
      const changed = {
        ...(command.url !== undefined && command.url !== target.url ? { url: command.url } : {}),
        ...(command.streamKey !== undefined && command.streamKey !== target.streamKey
          ? { streamKey: command.streamKey }
          : {}),
        ...(command.name !== undefined && command.name !== target.name ? { name: command.name } : {}),
        ...(command.enabled !== undefined && command.enabled !== target.enabled ? { enabled: command.enabled } : {}),
        ...(command.verifyTls !== undefined && command.verifyTls !== target.verifyTls
          ? { verifyTls: command.verifyTls }
          : {})
      }
      if (Object.keys(changed).length === 0) return Result.succeed([])
      const stop: ReadonlyArray<RestreamEvent> =
        changed.enabled === false && running !== null
          ? [{ _tag: "RelayStopped", ...subject, sessionId: running, reason: "stopped by the owner" }]
          : []
      return Result.succeed([...stop, { _tag: "RestreamTargetUpdated", ...subject, ...changed }])
    }
    case "DeleteRestreamTarget": {
      const stop: ReadonlyArray<RestreamEvent> =
        running === null ? [] : [{ _tag: "RelayStopped", ...subject, sessionId: running, reason: "target deleted" }]
      return Result.succeed([...stop, { _tag: "RestreamTargetDeleted", ...subject }])
    }
    case "StartRelay": {
      if (!target.enabled) return Result.fail(new RestreamTargetDisabled({ targetId: target.id }))
      if (running === command.sessionId) return Result.succeed([])
      const previous: ReadonlyArray<RestreamEvent> =
        running === null ? [] : [{ _tag: "RelayStopped", ...subject, sessionId: running, reason: "session ended" }]
      return Result.succeed([
        ...previous,
        { _tag: "RelayConnecting", ...subject, sessionId: command.sessionId, attempt: 1 }
      ])
    }
    case "RelayConnected": {
      const relay = target.relay
      if (relay._tag === "Live" && relay.sessionId === command.sessionId) return Result.succeed([])
      if (relay._tag !== "Connecting" || relay.sessionId !== command.sessionId) return notRunning(target)
      return Result.succeed([{ _tag: "RelayLive", ...subject, sessionId: command.sessionId }])
    }
    case "RelayAttemptFailed": {
      const relay = target.relay
      if ((relay._tag !== "Connecting" && relay._tag !== "Live") || relay.sessionId !== command.sessionId)
        return notRunning(target)
      const failingSince = target.failingSince ?? command.at
      if (command.at - failingSince >= command.giveUpAfterSeconds * 1000) {
        return Result.succeed([
          { _tag: "RelayFailed", ...subject, sessionId: command.sessionId, reason: command.reason }
        ])
      }
      const attempt = (relay._tag === "Connecting" ? relay.attempt : 1) + 1
      return Result.succeed([
        {
          _tag: "RelayRetrying",
          ...subject,
          sessionId: command.sessionId,
          attempt,
          retryAt: (command.at + relayBackoffMillis(attempt)) as typeof command.at,
          reason: command.reason
        }
      ])
    }
    case "RetryRelay": {
      const relay = target.relay
      if (relay._tag !== "Retrying" || relay.sessionId !== command.sessionId) return notRunning(target)
      if (command.at < relay.retryAt) return Result.succeed([])
      return Result.succeed([
        { _tag: "RelayConnecting", ...subject, sessionId: command.sessionId, attempt: relay.attempt }
      ])
    }
    case "StopRelay":
      return running === command.sessionId
        ? Result.succeed([{ _tag: "RelayStopped", ...subject, sessionId: command.sessionId, reason: command.reason }])
        : Result.succeed([])
  }
}

export const decide = (command: RestreamCommand, state: RestreamState): Events => {
  if (state === null) {
    return command._tag === "CreateRestreamTarget"
      ? Result.succeed([{ ...command, _tag: "RestreamTargetCreated" }])
      : Result.fail(new RestreamTargetNotFound({ targetId: command.targetId }))
  }
  if (command.at < state.updatedAt) {
    return Result.fail(
      new CommandOutOfOrder({
        aggregate: "restreamTarget",
        id: state.id,
        at: command.at,
        lastChangedAt: state.updatedAt
      })
    )
  }
  return decideExisting(command, state)
}

export const evolve = (state: RestreamState, event: RestreamEvent): RestreamState => {
  if (event._tag === "RestreamTargetCreated") {
    return {
      id: event.targetId,
      livestreamId: event.livestreamId,
      accountId: event.accountId,
      appId: event.appId,
      url: event.url,
      streamKey: event.streamKey,
      name: event.name,
      enabled: event.enabled,
      verifyTls: event.verifyTls,
      deleted: false,
      relay: { _tag: "Idle" },
      liveSince: null,
      failingSince: null,
      lastError: null,
      createdAt: event.at,
      updatedAt: event.at
    }
  }
  if (state === null) return state
  const target = { ...state, updatedAt: event.at }
  switch (event._tag) {
    case "RestreamTargetUpdated": {
      const { _tag, targetId, at, ...changed } = event
      return { ...target, ...changed }
    }
    case "RestreamTargetDeleted":
      return { ...target, deleted: true }
    case "RelayConnecting":
      return {
        ...target,
        relay: { _tag: "Connecting", sessionId: event.sessionId, attempt: event.attempt, since: event.at },
        // A new session's relay starts afresh.
        ...(event.attempt === 1 ? { liveSince: null, failingSince: null } : {})
      }
    case "RelayLive":
      return {
        ...target,
        relay: { _tag: "Live", sessionId: event.sessionId, since: event.at },
        liveSince: target.liveSince ?? event.at,
        failingSince: null
      }
    case "RelayRetrying":
      return {
        ...target,
        relay: {
          _tag: "Retrying",
          sessionId: event.sessionId,
          attempt: event.attempt,
          retryAt: event.retryAt,
          reason: event.reason
        },
        failingSince: target.failingSince ?? event.at,
        lastError: { reason: event.reason, at: event.at }
      }
    case "RelayFailed":
      return {
        ...target,
        relay: { _tag: "Failed", sessionId: event.sessionId, reason: event.reason, at: event.at },
        failingSince: null,
        lastError: { reason: event.reason, at: event.at }
      }
    case "RelayStopped":
      return { ...target, relay: { _tag: "Stopped", sessionId: event.sessionId, reason: event.reason, at: event.at } }
  }
}

export const RestreamDecider: Decider<
  RestreamCommand,
  RestreamEvent,
  RestreamState,
  RestreamError | CommandOutOfOrder
> = {
  initialState: null,
  decide,
  evolve
}
