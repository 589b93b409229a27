/**
 * Commands to a session: one broadcast of a livestream and what it accrued. The workflow derives all but
 * viewer accrual from the livestream's broadcast events.
 */
import { Schema } from "effect"
import { AccountId, AppId, IngestId, LivestreamId, SessionId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { SessionEndReason } from "./SessionEndReason.ts"

const target = { sessionId: SessionId, at: Timestamp }

export const SessionCommand = Schema.TaggedUnion({
  InvokeSession: { ...target, livestreamId: LivestreamId, accountId: AccountId, appId: AppId },
  ConnectMedia: { ...target, ingestId: IngestId },
  DisconnectMedia: { ...target },
  /** Viewer time counted by the media plane (served segments), in whole or fractional seconds. */
  AccrueViewerSeconds: {
    ...target,
    seconds: Schema.Finite.pipe(Schema.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(86_400_000)))
  },
  /**
   * `endedAt` is when the broadcast ended, which may lie before `at` (a reconnect window ends at its
   * deadline, and the timer that notices it fires later).
   */
  StopSession: {
    ...target,
    endedAt: Timestamp,
    reason: SessionEndReason,
    errMessage: Schema.NullOr(Schema.String)
  }
})
export type SessionCommand = typeof SessionCommand.Type
