/**
 * Events of a restream target's stream (`restreamTarget-<id>`): its settings, and its relay's life in each
 * session (connecting, live, retrying, failed, stopped), each with its reason.
 */
import { Effect, Schema } from "effect"
import { AccountId, AppId, LivestreamId, SessionId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { RelayFailure, RelayStopReason, RestreamName, RestreamStreamKey, RestreamTargetId, RestreamUrl } from "./RestreamValues.ts"

const subject = { targetId: RestreamTargetId, at: Timestamp }
const relay = { ...subject, sessionId: SessionId }
const Attempt = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1)))

export const RestreamEvent = Schema.TaggedUnion({
  RestreamTargetCreated: {
    ...subject,
    livestreamId: LivestreamId,
    accountId: AccountId,
    appId: AppId,
    url: RestreamUrl,
    streamKey: RestreamStreamKey,
    name: RestreamName,
    enabled: Schema.Boolean,
    /** Whether an `rtmps://` target's certificate must verify (against the system's CAs). */
    verifyTls: Schema.Boolean.pipe(Schema.withDecodingDefaultKey(Effect.succeed(true)))
  },
  /** What changed; a field left out is as it was. */
  RestreamTargetUpdated: {
    ...subject,
    url: Schema.optionalKey(RestreamUrl),
    streamKey: Schema.optionalKey(RestreamStreamKey),
    name: Schema.optionalKey(RestreamName),
    enabled: Schema.optionalKey(Schema.Boolean),
    verifyTls: Schema.optionalKey(Schema.Boolean)
  },
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
