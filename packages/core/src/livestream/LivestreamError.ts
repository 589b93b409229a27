/**
 * One error per rule a livestream command can break.
 */
import { Schema } from "effect"
import { IngestId, LivestreamId, SessionId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"

export class LivestreamAlreadyExists extends Schema.TaggedError<LivestreamAlreadyExists>()("LivestreamAlreadyExists", {
  livestreamId: LivestreamId
}) {}

/** Never created, or deleted. */
export class LivestreamNotFound extends Schema.TaggedError<LivestreamNotFound>()("LivestreamNotFound", {
  livestreamId: LivestreamId
}) {}

export class LivestreamAlreadyDisabled extends Schema.TaggedError<LivestreamAlreadyDisabled>()(
  "LivestreamAlreadyDisabled",
  { livestreamId: LivestreamId }
) {}

export class LivestreamNotDisabled extends Schema.TaggedError<LivestreamNotDisabled>()("LivestreamNotDisabled", {
  livestreamId: LivestreamId
}) {}

/** Rotation must change the key, or the old key would still publish. */
export class StreamKeyUnchanged extends Schema.TaggedError<StreamKeyUnchanged>()("StreamKeyUnchanged", {
  livestreamId: LivestreamId
}) {}

/** Publishing with a key that is not (or no longer) this livestream's key: refused as `unknown key`. */
export class StreamKeyMismatch extends Schema.TaggedError<StreamKeyMismatch>()("StreamKeyMismatch", {
  livestreamId: LivestreamId
}) {}

/** Publishing with the key a rotation replaced, after its grace: refused as `stream key expired`. */
export class StreamKeyExpired extends Schema.TaggedError<StreamKeyExpired>()("StreamKeyExpired", {
  livestreamId: LivestreamId
}) {}

/** Publishing to a disabled livestream: refused as `stream key disabled`. */
export class StreamKeyDisabled extends Schema.TaggedError<StreamKeyDisabled>()("StreamKeyDisabled", {
  livestreamId: LivestreamId
}) {}

/** Publishing while another connection is live on the key: refused as `already connected`. */
export class AlreadyConnected extends Schema.TaggedError<AlreadyConnected>()("AlreadyConnected", {
  livestreamId: LivestreamId,
  connectedIngestId: IngestId
}) {}

/** A disconnect or failure named a connection that is not this livestream's publisher. */
export class PublisherNotConnected extends Schema.TaggedError<PublisherNotConnected>()("PublisherNotConnected", {
  livestreamId: LivestreamId,
  ingestId: IngestId
}) {}

/** Stopping or aborting when no broadcast is invoked or open. */
export class NoBroadcastInProgress extends Schema.TaggedError<NoBroadcastInProgress>()("NoBroadcastInProgress", {
  livestreamId: LivestreamId
}) {}

/** A timer for a session that is not the current one, or not in the phase the timer is about. */
export class StaleTimer extends Schema.TaggedError<StaleTimer>()("StaleTimer", {
  livestreamId: LivestreamId,
  sessionId: SessionId
}) {}

/** A timer fired before its due time. */
export class TimerNotDue extends Schema.TaggedError<TimerNotDue>()("TimerNotDue", {
  livestreamId: LivestreamId,
  dueAt: Timestamp,
  at: Timestamp
}) {}

/** A new session must have an id that is not the current or last session's. */
export class SessionIdReused extends Schema.TaggedError<SessionIdReused>()("SessionIdReused", {
  livestreamId: LivestreamId,
  sessionId: SessionId
}) {}

export type LivestreamError =
  | LivestreamAlreadyExists
  | LivestreamNotFound
  | LivestreamAlreadyDisabled
  | LivestreamNotDisabled
  | StreamKeyUnchanged
  | StreamKeyMismatch
  | StreamKeyExpired
  | StreamKeyDisabled
  | AlreadyConnected
  | PublisherNotConnected
  | NoBroadcastInProgress
  | StaleTimer
  | TimerNotDue
  | SessionIdReused
