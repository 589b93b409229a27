/**
 * A livestream's state, folded from its events. `null` until it is created.
 */
import { Effect, Schema } from "effect"
import { AccountId, AppId, IngestId, LivestreamId, MeetingId, SessionId, StreamKey } from "../Ids.ts"
import { isErrorReason, SessionEndReason } from "../session/SessionEndReason.ts"
import { Timestamp } from "../Time.ts"
import type { LivestreamStatus } from "./LivestreamValues.ts"
import {
  ANY_NODE,
  BroadcastLimits,
  Composer,
  DisableReason,
  DvrWindowSeconds,
  LatencyMode,
  LivestreamName,
  Placement,
  PreviousStreamKey,
  ReconnectWindowSeconds,
  RenditionLadder,
  VideoConfig
} from "./LivestreamValues.ts"
import { SrtPortNumber } from "../srt/SrtPortValues.ts"

/** The phase of the current broadcast. A session is open exactly in `Connected` and `Reconnecting`. */
export const Broadcast = Schema.TaggedUnion({
  Idle: {},
  Invoked: { sessionId: SessionId, invokedAt: Timestamp },
  Connected: { sessionId: SessionId, ingestId: IngestId, startedAt: Timestamp, connectedAt: Timestamp },
  Reconnecting: {
    sessionId: SessionId,
    ingestId: IngestId,
    startedAt: Timestamp,
    disconnectedAt: Timestamp,
    deadline: Timestamp
  }
})
export type Broadcast = typeof Broadcast.Type

export const LastBroadcast = Schema.Struct({ sessionId: SessionId, reason: SessionEndReason, endedAt: Timestamp })
export type LastBroadcast = typeof LastBroadcast.Type

export const Livestream = Schema.Struct({
  id: LivestreamId,
  accountId: AccountId,
  appId: AppId,
  name: Schema.NullOr(LivestreamName),
  meetingId: Schema.NullOr(MeetingId),
  videoConfig: Schema.NullOr(VideoConfig),
  streamKey: StreamKey,
  /** The key a rotation with grace left publishing, until when (none in states stored before it). */
  previousKey: Schema.NullOr(PreviousStreamKey).pipe(Schema.withDecodingDefaultKey(Effect.succeed(null))),
  reconnectWindowSeconds: ReconnectWindowSeconds,
  limits: BroadcastLimits,
  /** Where its publishers may go (any node in states stored before placement). */
  placement: Placement.pipe(Schema.withDecodingDefaultKey(Effect.succeed(ANY_NODE))),
  /** Whether each session is recorded (yes in states stored before the setting). */
  record: Schema.Boolean.pipe(Schema.withDecodingDefaultKey(Effect.succeed(true))),
  /** The adaptive ladder its broadcasts get (the source alone in states stored before the setting). */
  renditions: RenditionLadder.pipe(Schema.withDecodingDefaultKey(Effect.succeed([]))),
  /** How its viewers watch (`standard` in states stored before the setting). */
  latencyMode: LatencyMode.pipe(Schema.withDecodingDefaultKey(Effect.succeed("standard" as const))),
  /** How far back players may seek in a broadcast (off in states stored before the setting). */
  dvrWindowSeconds: DvrWindowSeconds.pipe(Schema.withDecodingDefaultKey(Effect.succeed(0))),
  /** Since when its composed meeting has had no participant but the composer; null while it has some. */
  meetingEmptySince: Schema.NullOr(Timestamp).pipe(Schema.withDecodingDefaultKey(Effect.succeed(null))),
  /** A meeting livestream's composer, which publishes its broadcasts (none in states stored before it). */
  composer: Schema.NullOr(Composer).pipe(Schema.withDecodingDefaultKey(Effect.succeed(null))),
  /** The SRT listener port it holds (none in states stored before SRT). */
  srtPort: Schema.NullOr(SrtPortNumber).pipe(Schema.withDecodingDefaultKey(Effect.succeed(null))),
  /** Why the key is disabled, or null while it is enabled. */
  disabled: Schema.NullOr(DisableReason),
  deleted: Schema.Boolean,
  broadcast: Broadcast,
  lastBroadcast: Schema.NullOr(LastBroadcast),
  createdAt: Timestamp,
  updatedAt: Timestamp
})
export type Livestream = typeof Livestream.Type

export const LivestreamState = Schema.NullOr(Livestream)
export type LivestreamState = typeof LivestreamState.Type

/** The session of the current broadcast, if one is invoked or open. */
export const currentSessionId = (livestream: Livestream): SessionId | null =>
  livestream.broadcast._tag === "Idle" ? null : livestream.broadcast.sessionId

export const isSessionOpen = (livestream: Livestream): boolean =>
  livestream.broadcast._tag === "Connected" || livestream.broadcast._tag === "Reconnecting"

/**
 * The seed's status: LIVE while a session is open (media connected or inside the reconnect window),
 * INVOKED while a broadcast waits for its first media, ERRORED after a broadcast that ended in an error
 * until the next one, IDLE otherwise.
 */
export const status = (livestream: Livestream): LivestreamStatus => {
  switch (livestream.broadcast._tag) {
    case "Connected":
    case "Reconnecting":
      return "LIVE"
    case "Invoked":
      return "INVOKED"
    case "Idle":
      return livestream.lastBroadcast !== null && isErrorReason(livestream.lastBroadcast.reason) ? "ERRORED" : "IDLE"
  }
}
