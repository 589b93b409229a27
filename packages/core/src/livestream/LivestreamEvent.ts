/**
 * Events of a livestream's stream: its configuration and the phases of its current broadcast.
 */
import { Schema } from "effect"
import { AccountId, AppId, IngestId, LivestreamId, MeetingId, SessionId, StreamKey } from "../Ids.ts"
import { SessionEndReason } from "../session/SessionEndReason.ts"
import { Timestamp } from "../Time.ts"
import {
  BroadcastLimits,
  Composer,
  DisableReason,
  DvrWindowSeconds,
  LatencyMode,
  LivestreamName,
  Placement,
  ReconnectWindowSeconds,
  RenditionLadder,
  VideoConfig
} from "./LivestreamValues.ts"
import { SrtPortNumber } from "../srt/SrtPortValues.ts"

const subject = { livestreamId: LivestreamId, at: Timestamp }

export const LivestreamEvent = Schema.TaggedUnion({
  LivestreamCreated: {
    ...subject,
    accountId: AccountId,
    appId: AppId,
    name: Schema.NullOr(LivestreamName),
    meetingId: Schema.NullOr(MeetingId),
    videoConfig: Schema.NullOr(VideoConfig),
    streamKey: StreamKey,
    reconnectWindowSeconds: ReconnectWindowSeconds,
    limits: BroadcastLimits,
    /** Absent: any node. */
    placement: Schema.optionalKey(Placement),
    /** Absent: recorded. */
    record: Schema.optionalKey(Schema.Boolean),
    /** Absent: the source alone. */
    renditions: Schema.optionalKey(RenditionLadder),
    /** Absent: `standard`. */
    latencyMode: Schema.optionalKey(LatencyMode),
    /** Absent: 0 (off). */
    dvrWindowSeconds: Schema.optionalKey(DvrWindowSeconds),
    /** Absent: no composer (an outside encoder publishes). */
    composer: Schema.optionalKey(Composer)
  },
  LivestreamRenamed: { ...subject, name: Schema.NullOr(LivestreamName) },
  ReconnectWindowChanged: { ...subject, seconds: ReconnectWindowSeconds },
  PlacementChanged: { ...subject, placement: Placement },
  RecordingSettingChanged: { ...subject, record: Schema.Boolean },
  RenditionsChanged: { ...subject, renditions: RenditionLadder },
  LatencyModeChanged: { ...subject, latencyMode: LatencyMode },
  DvrWindowChanged: { ...subject, seconds: DvrWindowSeconds },
  SrtPortChanged: { ...subject, port: Schema.NullOr(SrtPortNumber) },
  LivestreamDisabled: { ...subject, reason: DisableReason },
  LivestreamEnabled: { ...subject },
  /** `previousKeyExpiresAt`: until when the key it replaced still publishes (absent: it stopped at once). */
  StreamKeyRotated: { ...subject, streamKey: StreamKey, previousKeyExpiresAt: Schema.optionalKey(Timestamp) },
  LivestreamDeleted: { ...subject },
  /** Its meeting has no participant left but its composer (from `at`), or has one again. */
  MeetingEmptied: { ...subject },
  MeetingOccupied: { ...subject },
  /** A broadcast was asked for: its session exists from here on, waiting for media. */
  BroadcastInvoked: { ...subject, sessionId: SessionId },
  /** An encoder's media is flowing; `resumed` when it came back inside the reconnect window. */
  PublisherConnected: { ...subject, sessionId: SessionId, ingestId: IngestId, resumed: Schema.Boolean },
  /** The encoder left; the session stays open until `deadline` (equal to `at` when the window is 0). */
  PublisherDisconnected: { ...subject, sessionId: SessionId, ingestId: IngestId, deadline: Timestamp },
  /** The broadcast is over. `at` is when it ended, which for an expired window is the window's end. */
  BroadcastEnded: {
    ...subject,
    sessionId: SessionId,
    reason: SessionEndReason,
    errMessage: Schema.NullOr(Schema.String),
    /** The publisher still connected when it ended, which the media plane must drop. */
    droppedIngestId: Schema.NullOr(IngestId)
  }
})
export type LivestreamEvent = typeof LivestreamEvent.Type
