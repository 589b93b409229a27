/**
 * Commands to a livestream. Each carries the livestream id and the instant it happened at; new ids and
 * stream keys are chosen by the caller, so deciding stays pure and replayable.
 */
import { Schema } from "effect"
import { AccountId, AppId, IngestId, LivestreamId, MeetingId, SessionId, StreamKey } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import {
  BroadcastLimits,
  Composer,
  DisableReason,
  DvrWindowSeconds,
  KeyGraceSeconds,
  LatencyMode,
  LivestreamName,
  Placement,
  ReconnectWindowSeconds,
  RenditionLadder,
  VideoConfig
} from "./LivestreamValues.ts"
import { SrtPortNumber } from "../srt/SrtPortValues.ts"

const target = { livestreamId: LivestreamId, at: Timestamp }

export const LivestreamCommand = Schema.TaggedUnion({
  /** Creates a livestream, independent (`meetingId` null) or for a meeting, and invokes its first broadcast. */
  CreateLivestream: {
    ...target,
    accountId: AccountId,
    appId: AppId,
    name: Schema.NullOr(LivestreamName),
    meetingId: Schema.NullOr(MeetingId),
    videoConfig: Schema.NullOr(VideoConfig),
    streamKey: StreamKey,
    reconnectWindowSeconds: ReconnectWindowSeconds,
    limits: BroadcastLimits,
    sessionId: SessionId,
    /** Absent: any node. */
    placement: Schema.optionalKey(Placement),
    /** Whether each session is recorded; absent: yes. */
    record: Schema.optionalKey(Schema.Boolean),
    /** The adaptive ladder; absent: the source alone. */
    renditions: Schema.optionalKey(RenditionLadder),
    /** Absent: `standard`. */
    latencyMode: Schema.optionalKey(LatencyMode),
    /** Absent: 0 (off). */
    dvrWindowSeconds: Schema.optionalKey(DvrWindowSeconds),
    /** A meeting livestream's composer; absent: none (an outside encoder publishes). */
    composer: Schema.optionalKey(Composer)
  },
  RenameLivestream: { ...target, name: Schema.NullOr(LivestreamName) },
  SetReconnectWindow: { ...target, seconds: ReconnectWindowSeconds },
  SetPlacement: { ...target, placement: Placement },
  SetRecording: { ...target, record: Schema.Boolean },
  SetRenditions: { ...target, renditions: RenditionLadder },
  /** Takes effect from the next broadcast: one running keeps the packaging it started with. */
  SetLatencyMode: { ...target, latencyMode: LatencyMode },
  /** Takes effect from the next broadcast, as the latency mode does. */
  SetDvrWindow: { ...target, seconds: DvrWindowSeconds },
  /** The SRT port the livestream holds now (claimed on its port's stream first), or null for none. */
  SetSrtPort: { ...target, port: Schema.NullOr(SrtPortNumber) },
  DisableLivestream: { ...target, reason: DisableReason },
  EnableLivestream: { ...target },
  /** `graceSeconds`: how long the key it replaces still publishes (none: not at all). */
  RotateStreamKey: { ...target, streamKey: StreamKey, graceSeconds: Schema.optionalKey(KeyGraceSeconds) },
  /** Ends any broadcast (`stopped by request`) and deletes the livestream; its key is refused from then on. */
  DeleteLivestream: { ...target },
  /**
   * Ends the current broadcast and disables the key, so the encoder cannot come back: asked (`stopped by
   * request`), or, for a composed meeting, its room ended.
   */
  StopBroadcast: { ...target, reason: Schema.optionalKey(Schema.Literals(["room ended", "last peer left"])) },
  /** An encoder asks to publish. `sessionId` names the session to open if none is open. */
  ConnectPublisher: { ...target, ingestId: IngestId, streamKey: StreamKey, sessionId: SessionId },
  DisconnectPublisher: { ...target, ingestId: IngestId },
  /** The media server reports that the connected publisher's stream failed. */
  FailPublish: { ...target, ingestId: IngestId, message: Schema.String },
  /** The media server lost the broadcast (crash, restart): it ends with `internal error`. */
  AbortBroadcast: { ...target, message: Schema.String },
  /** Timer: the encoder has been gone for the whole reconnect window. */
  ExpireReconnectWindow: { ...target, sessionId: SessionId },
  /** Timer: an invoked broadcast received no media before its start timeout. */
  ExpireStartTimeout: { ...target, sessionId: SessionId },
  /** Timer: a broadcast has had media for its maximum duration. */
  ReachMaximumDuration: { ...target, sessionId: SessionId },
  /** A composed meeting's last participant left (its composer alone), or one joined again. */
  MarkMeetingEmpty: { ...target },
  MarkMeetingOccupied: { ...target },
  /** Timer: a composed meeting has had no participant but its composer for `EMPTY_MEETING_SECONDS`. */
  ExpireEmptyMeeting: { ...target, sessionId: SessionId }
})
export type LivestreamCommand = typeof LivestreamCommand.Type
