/**
 * The session decider: one broadcast's timeline and accounting. Ingest seconds are the sum of the
 * intervals with media connected, closed on disconnect or stop, so they never decrease.
 */
import { Result } from "effect"
import type { Decider } from "../Decider.ts"
import { CommandOutOfOrder } from "../DomainError.ts"
import type { SessionCommand } from "./SessionCommand.ts"
import {
  MediaAlreadyConnected,
  MediaNotConnected,
  SessionAlreadyExists,
  SessionAlreadyStopped,
  type SessionError,
  SessionNeverStarted,
  SessionNotFound
} from "./SessionError.ts"
import type { SessionEvent } from "./SessionEvent.ts"
import type { Timestamp } from "../Time.ts"
import type { Session, SessionState } from "./SessionState.ts"

type Events = Result.Result<ReadonlyArray<SessionEvent>, SessionError | CommandOutOfOrder>

const decideExisting = (command: SessionCommand, session: Session): Events => {
  const subject = { sessionId: session.id, at: command.at }
  if (command._tag === "InvokeSession") return Result.fail(new SessionAlreadyExists({ sessionId: session.id }))
  if (command._tag === "AccrueViewerSeconds") {
    // Segments served just after the end still count: the media plane reports viewers in batches.
    if (session.startedAt === null) return Result.fail(new SessionNeverStarted({ sessionId: session.id }))
    return Result.succeed([{ _tag: "ViewerSecondsAccrued", ...subject, seconds: command.seconds }])
  }
  if (session.stoppedAt !== null) return Result.fail(new SessionAlreadyStopped({ sessionId: session.id }))
  switch (command._tag) {
    case "ConnectMedia":
      if (session.connectedSince !== null) return Result.fail(new MediaAlreadyConnected({ sessionId: session.id }))
      return Result.succeed([
        {
          _tag: session.startedAt === null ? "SessionStarted" : "MediaReconnected",
          ...subject,
          ingestId: command.ingestId
        }
      ])
    case "DisconnectMedia":
      if (session.connectedSince === null) return Result.fail(new MediaNotConnected({ sessionId: session.id }))
      return Result.succeed([
        { _tag: "MediaDisconnected", ...subject, connectedMillis: command.at - session.connectedSince }
      ])
    case "StopSession": {
      // A session cannot end before what it already recorded; an earlier end is clamped to that.
      const floor = Math.max(session.invokedAt, session.connectedSince ?? 0, session.lastDisconnectedAt ?? 0)
      const stoppedAt = Math.min(command.at, Math.max(command.endedAt, floor)) as Timestamp
      return Result.succeed([
        {
          _tag: "SessionStopped",
          ...subject,
          stoppedAt,
          reason: command.reason,
          errMessage: command.errMessage,
          connectedMillis: session.connectedSince === null ? 0 : stoppedAt - session.connectedSince
        }
      ])
    }
  }
}

export const decide = (command: SessionCommand, state: SessionState): Events => {
  if (state === null) {
    if (command._tag !== "InvokeSession") return Result.fail(new SessionNotFound({ sessionId: command.sessionId }))
    return Result.succeed([{ ...command, _tag: "SessionInvoked" }])
  }
  if (command.at < state.updatedAt) {
    return Result.fail(
      new CommandOutOfOrder({ aggregate: "session", id: state.id, at: command.at, lastChangedAt: state.updatedAt })
    )
  }
  return decideExisting(command, state)
}

export const evolve = (state: SessionState, event: SessionEvent): SessionState => {
  if (event._tag === "SessionInvoked") {
    return {
      id: event.sessionId,
      livestreamId: event.livestreamId,
      accountId: event.accountId,
      appId: event.appId,
      invokedAt: event.at,
      startedAt: null,
      stoppedAt: null,
      connectedSince: null,
      ingestId: null,
      ingestMillis: 0,
      viewerSeconds: 0,
      connections: 0,
      lastDisconnectedAt: null,
      endReason: null,
      errMessage: null,
      updatedAt: event.at
    }
  }
  if (state === null) return state
  const session = { ...state, updatedAt: event.at > state.updatedAt ? event.at : state.updatedAt }
  switch (event._tag) {
    case "SessionStarted":
      return { ...session, startedAt: event.at, connectedSince: event.at, ingestId: event.ingestId, connections: 1 }
    case "MediaReconnected":
      return { ...session, connectedSince: event.at, ingestId: event.ingestId, connections: session.connections + 1 }
    case "MediaDisconnected":
      return {
        ...session,
        connectedSince: null,
        ingestMillis: session.ingestMillis + event.connectedMillis,
        lastDisconnectedAt: event.at
      }
    case "ViewerSecondsAccrued":
      return { ...session, viewerSeconds: session.viewerSeconds + event.seconds }
    case "SessionStopped":
      return {
        ...session,
        stoppedAt: event.stoppedAt,
        connectedSince: null,
        ingestMillis: session.ingestMillis + event.connectedMillis,
        lastDisconnectedAt: session.connectedSince === null ? session.lastDisconnectedAt : event.stoppedAt,
        endReason: event.reason,
        errMessage: event.errMessage
      }
  }
}

export const SessionDecider: Decider<SessionCommand, SessionEvent, SessionState, SessionError | CommandOutOfOrder> = {
  initialState: null,
  decide,
  evolve
}
