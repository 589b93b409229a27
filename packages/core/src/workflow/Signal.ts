/**
 * What the outside world tells OnAir: API requests, media-plane callbacks, the real-time media engine's
 * events and due timers. Each becomes one unit of work across the aggregates it touches.
 */
import { Schema } from "effect"
import { IngestId, LivestreamId, MediaNodeId, MeetingId, SessionId, StreamKey } from "../Ids.ts"
import { IngestHealth, IngestProtocol, PublisherAddress, RenditionsRefusal } from "../ingest/IngestValues.ts"
import { LivestreamCommand } from "../livestream/LivestreamCommand.ts"
import {
  BroadcastLimits,
  Composer,
  LivestreamName,
  ReconnectWindowSeconds,
  VideoConfig
} from "../livestream/LivestreamValues.ts"
import { MeetingCommand } from "../meeting/MeetingCommand.ts"
import { SessionCommand } from "../session/SessionCommand.ts"
import { MediaNodeRegion } from "../node/MediaNodeValues.ts"
import { Timestamp } from "../Time.ts"

const at = { at: Timestamp }

/** Media-plane signals about one encoder connection. */
export const IngestSignal = Schema.TaggedUnion({
  /**
   * An encoder asks media node `nodeId` (in `nodeRegion`) to publish with a key. `sessionId` names the
   * session to open if one is needed; `nodeAccepting` is whether the node takes new publishers now (not
   * drained, holding its lease).
   */
  Publish: {
    ...at,
    ingestId: IngestId,
    nodeId: MediaNodeId,
    nodeRegion: Schema.NullOr(MediaNodeRegion),
    nodeAccepting: Schema.Boolean,
    streamKey: StreamKey,
    publisher: PublisherAddress,
    /** How the encoder came in (RTMP when not said). */
    protocol: Schema.optionalKey(IngestProtocol),
    sessionId: SessionId
  },
  /** The connection ended (encoder closed, was dropped, or was refused and closed). */
  Unpublish: { ...at, ingestId: IngestId },
  ReportHealth: { ...at, ingestId: IngestId, health: IngestHealth },
  /** The connection's first HLS playlist exists. */
  ReportManifest: { ...at, ingestId: IngestId },
  /** The node passes the connection's source through instead of its ladder (`renditions`: those left out). */
  ReportRenditionsRefused: {
    ...at,
    ingestId: IngestId,
    reason: RenditionsRefusal,
    renditions: Schema.Array(Schema.String)
  },
  /** The media server failed the connection's stream. */
  ReportPublishFailure: { ...at, ingestId: IngestId, message: Schema.String },
  /**
   * The media server the connection was on is gone (crash, restart): the connection is over and its
   * broadcast ends with `internal error`, since no media can follow on that server.
   */
  ReportMediaLost: { ...at, ingestId: IngestId, message: Schema.String }
})
export type IngestSignal = typeof IngestSignal.Type

/** Starting and stopping a meeting's livestream touch the meeting, the livestream and its session. */
export const MeetingLivestreamSignal = Schema.TaggedUnion({
  StartLivestreamForMeeting: {
    ...at,
    meetingId: MeetingId,
    livestreamId: LivestreamId,
    name: Schema.NullOr(LivestreamName),
    videoConfig: Schema.NullOr(VideoConfig),
    streamKey: StreamKey,
    reconnectWindowSeconds: ReconnectWindowSeconds,
    limits: BroadcastLimits,
    sessionId: SessionId,
    /** The composer that publishes it; null: an outside encoder does. */
    composer: Schema.NullOr(Composer)
  },
  StopLivestreamForMeeting: { ...at, meetingId: MeetingId }
})
export type MeetingLivestreamSignal = typeof MeetingLivestreamSignal.Type

const { cases: L } = LivestreamCommand
const { cases: M } = MeetingCommand

/** Livestream commands the outside world may send; publishing goes through `IngestSignal`. */
export const LivestreamSignal = Schema.Union([
  L.CreateLivestream,
  L.RenameLivestream,
  L.SetReconnectWindow,
  L.SetPlacement,
  L.SetRecording,
  L.SetRenditions,
  L.SetLatencyMode,
  L.SetDvrWindow,
  L.SetSrtPort,
  L.DisableLivestream,
  L.EnableLivestream,
  L.RotateStreamKey,
  L.DeleteLivestream,
  L.StopBroadcast,
  L.AbortBroadcast,
  L.ExpireReconnectWindow,
  L.ExpireStartTimeout,
  L.ReachMaximumDuration,
  L.ExpireEmptyMeeting
])
export type LivestreamSignal = typeof LivestreamSignal.Type

/** Meeting commands the outside world may send; its livestream goes through `MeetingLivestreamSignal`. */
export const MeetingSignal = Schema.Union([
  M.CreateMeeting,
  M.SetMeetingStatus,
  M.OpenMeetingSession,
  M.CloseMeetingSession,
  M.JoinParticipant,
  M.LeaveParticipant,
  M.ForwardEngineEvent
])
export type MeetingSignal = typeof MeetingSignal.Type

export const Signal = Schema.Union([
  LivestreamSignal,
  MeetingSignal,
  MeetingLivestreamSignal,
  IngestSignal,
  SessionCommand.cases.AccrueViewerSeconds
])
export type Signal = typeof Signal.Type
