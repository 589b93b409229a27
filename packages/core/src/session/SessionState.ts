/**
 * A session's state, folded from its events. `null` until it is invoked.
 */
import { Schema } from "effect"
import { AccountId, AppId, IngestId, LivestreamId, SessionId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { SessionEndReason } from "./SessionEndReason.ts"

export const Session = Schema.Struct({
  id: SessionId,
  livestreamId: LivestreamId,
  accountId: AccountId,
  appId: AppId,
  invokedAt: Timestamp,
  startedAt: Schema.NullOr(Timestamp),
  stoppedAt: Schema.NullOr(Timestamp),
  /** When the current media connection began; null while no media flows. */
  connectedSince: Schema.NullOr(Timestamp),
  /** The publisher of the current or last media connection. */
  ingestId: Schema.NullOr(IngestId),
  /** Sum of closed connected intervals, in milliseconds. */
  ingestMillis: Schema.Int,
  viewerSeconds: Schema.Finite,
  connections: Schema.Int,
  lastDisconnectedAt: Schema.NullOr(Timestamp),
  endReason: Schema.NullOr(SessionEndReason),
  errMessage: Schema.NullOr(Schema.String),
  updatedAt: Timestamp
})
export type Session = typeof Session.Type

export const SessionState = Schema.NullOr(Session)
export type SessionState = typeof SessionState.Type

/** Open: media has started and the session has not stopped (connected or inside the reconnect window). */
export const isOpen = (session: Session): boolean => session.startedAt !== null && session.stoppedAt === null

/** Milliseconds with media connected, counting the open interval up to `asOf`. */
export const ingestMillisAsOf = (session: Session, asOf: Timestamp): number =>
  session.ingestMillis + (session.connectedSince === null ? 0 : Math.max(0, asOf - session.connectedSince))
