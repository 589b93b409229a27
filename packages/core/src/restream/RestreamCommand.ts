/**
 * Commands to a restream target: its owner creates, changes and deletes it; the control plane starts its
 * relay when its livestream goes live and stops it when the session ends; the node running the relay
 * reports each attempt.
 */
import { Schema } from "effect"
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

const target = { targetId: RestreamTargetId, at: Timestamp }
const relay = { ...target, sessionId: SessionId }

export const RestreamCommand = Schema.TaggedUnion({
  CreateRestreamTarget: { ...target, ...TargetOwner, ...TargetSettings, verifyTls: Schema.Boolean },
  UpdateRestreamTarget: { ...target, ...TargetChanges },
  DeleteRestreamTarget: { ...target },
  StartRelay: { ...relay },
  RelayConnected: { ...relay },
  /** One attempt failed; after failing for `giveUpAfterSeconds` in a row the relay gives up. */
  RelayAttemptFailed: {
    ...relay,
    reason: RelayFailure,
    giveUpAfterSeconds: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1)))
  },
  RetryRelay: { ...relay },
  StopRelay: { ...relay, reason: RelayStopReason }
})
export type RestreamCommand = typeof RestreamCommand.Type
