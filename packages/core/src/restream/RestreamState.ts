/**
 * A restream target's state, folded from its events. `null` until it is created.
 */
import { Schema } from "effect"
import { SessionId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { RelayFailure, RelayStopReason, RestreamTargetId, TargetOwner, TargetSettings } from "./RestreamValues.ts"

const Attempt = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1)))

/** Where a target's relay is: idle until a session starts it; connecting, live or retrying while it runs. */
export const RelayPhase = Schema.TaggedUnion({
  Idle: {},
  Connecting: { sessionId: SessionId, attempt: Attempt, since: Timestamp },
  Live: { sessionId: SessionId, since: Timestamp },
  Retrying: { sessionId: SessionId, attempt: Attempt, retryAt: Timestamp, reason: RelayFailure },
  Failed: { sessionId: SessionId, reason: RelayFailure, at: Timestamp },
  Stopped: { sessionId: SessionId, reason: RelayStopReason, at: Timestamp }
})
export type RelayPhase = typeof RelayPhase.Type

export const RestreamTarget = Schema.Struct({
  id: RestreamTargetId,
  ...TargetOwner,
  ...TargetSettings,
  /** Whether an `rtmps://` target's certificate must verify (against the system's CAs). */
  verifyTls: Schema.Boolean,
  deleted: Schema.Boolean,
  relay: RelayPhase,
  /** When the current session's relay first went live (a beam's start); null until it does. */
  liveSince: Schema.NullOr(Timestamp),
  /** When its current run of failed attempts began; null while it is not failing. */
  failingSince: Schema.NullOr(Timestamp),
  lastError: Schema.NullOr(Schema.Struct({ reason: RelayFailure, at: Timestamp })),
  createdAt: Timestamp,
  updatedAt: Timestamp
})
export type RestreamTarget = typeof RestreamTarget.Type

export const RestreamState = Schema.NullOr(RestreamTarget)
export type RestreamState = typeof RestreamState.Type

/** The session its relay runs for now (connecting, live or waiting to retry), or null. */
export const relayingSession = (target: RestreamTarget): SessionId | null => {
  const relay = target.relay
  return relay._tag === "Connecting" || relay._tag === "Live" || relay._tag === "Retrying" ? relay.sessionId : null
}
