/**
 * Events of a restream target's stream (`restreamTarget-<id>`): its settings, and its relay's life in each
 * session (connecting, live, retrying, failed, stopped), each with its reason.
 */
import { Effect, Schema } from "effect"
import { SessionId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import {
  RelayFailure,
  RelayStopReason,
  RestreamTargetId,
  TargetChanges,
  TargetOwner,
  TargetSettings
} from "./RestreamValues.ts"

const subject = { targetId: RestreamTargetId, at: Timestamp }
const relay = { ...subject, sessionId: SessionId }
const Attempt = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1)))

export const RestreamEvent = Schema.TaggedUnion({
  RestreamTargetCreated: {
    ...subject,
    ...TargetOwner,
    ...TargetSettings,
    /** Whether an `rtmps://` target's certificate must verify (against the system's CAs). */
    verifyTls: Schema.Boolean.pipe(Schema.withDecodingDefaultKey(Effect.succeed(true)))
  },
  /** What changed; a field left out is as it was. */
  RestreamTargetUpdated: { ...subject, ...TargetChanges },
  RestreamTargetDeleted: { ...subject },
  RelayConnecting: { ...relay, attempt: Attempt },
  RelayLive: { ...relay },
  RelayRetrying: { ...relay, attempt: Attempt, retryAt: Timestamp, reason: RelayFailure },
  RelayFailed: { ...relay, reason: RelayFailure },
  RelayStopped: { ...relay, reason: RelayStopReason }
})
export type RestreamEvent = typeof RestreamEvent.Type

export const RESTREAM_TARGET_CATEGORY = "restreamTarget"

export const restreamTargetStream = (id: string): string => `${RESTREAM_TARGET_CATEGORY}-${id}`
