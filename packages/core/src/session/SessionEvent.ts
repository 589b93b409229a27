/**
 * Events of a session's stream.
 */
import { Schema } from "effect"
import { AccountId, AppId, IngestId, LivestreamId, SessionId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { SessionEndReason } from "./SessionEndReason.ts"

const subject = { sessionId: SessionId, at: Timestamp }

export const SessionEvent = Schema.TaggedUnion({
  SessionInvoked: { ...subject, livestreamId: LivestreamId, accountId: AccountId, appId: AppId },
  /** The first media: the session's `started_time`. */
  SessionStarted: { ...subject, ingestId: IngestId },
  MediaReconnected: { ...subject, ingestId: IngestId },
  /** Media stopped; `connectedMillis` is the interval that just closed. */
  MediaDisconnected: { ...subject, connectedMillis: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0))) },
  ViewerSecondsAccrued: { ...subject, seconds: Schema.Finite },
  /**
   * `stoppedAt` is the session's `stopped_time`; `connectedMillis` closes the interval still open when it
   * stopped (0 if none).
   */
  SessionStopped: {
    ...subject,
    stoppedAt: Timestamp,
    reason: SessionEndReason,
    errMessage: Schema.NullOr(Schema.String),
    connectedMillis: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))
  }
})
export type SessionEvent = typeof SessionEvent.Type
