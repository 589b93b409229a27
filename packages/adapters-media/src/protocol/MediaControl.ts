/**
 * What a media node asks of the control plane, and the only way it reaches it: the node holds no catalog
 * and sends no command itself. The embedded node of the main job calls the control plane's implementation
 * in-process (`NodeControl`); a node of its own (`apps/media-node`) calls the same operations over HTTP
 * with its node credential (`RemoteMediaControl`, served by `NodeApi`). Each request's schema is here, so
 * both ends decode the same shapes.
 *
 * Every operation acts for one node, whose id the caller is bound to (the credential names it), and the
 * control plane stamps every signal with its own clock: nodes' clocks do not order the log.
 */
import {
  IngestHealth,
  IngestProtocol,
  DvrWindowSeconds,
  Composer,
  LatencyMode,
  RenditionLadder,
  RenditionName,
  RenditionsRefusal,
  SlateImageUrl,
  SrtPortNumber,
  StreamKey,
  IngestId,
  LivestreamId,
  MediaNodeAddresses,
  MediaNodeBootId,
  MediaNodeCapacity,
  MediaNodeId,
  MediaNodeRegion,
  RecordingAssets,
  RecordingFailure,
  type RecordingStorage,
  RelayFailure,
  RestreamStreamKey,
  RestreamTargetId,
  RestreamUrl,
  StorageOfReady,
  TranscriptAssets,
  TranscriptionFailure,
  SessionId
} from "@onair/core"
import { Context, Effect, Schema } from "effect"

/** Where the control plane answers its media nodes (`POST <path>/<operation>`). */
export const NODE_API_PATH = "/media-nodes/v1"

const NonNegative = Schema.Finite.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))
/** Lists a node sends at once: its connections, the session folders it sweeps. */
const MAX_LIST = 10_000

export const NodeLoad = Schema.Struct({
  /** Publishers the node holds. */
  streams: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0))),
  /** The machine's CPU in use, 0–1 of all its cores. */
  cpu: Schema.Finite.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 1 }))),
  /** Bits per second from publishers, and to players (HLS served). */
  bandwidthIn: NonNegative,
  bandwidthOut: NonNegative,
  /** Players that fetched HLS in the last 30 s (absent from nodes older than it). */
  viewers: Schema.optional(Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))),
  /** Cores left for meeting composers (0 without them; absent from nodes older than it). */
  composerRoom: Schema.optional(NonNegative)
})
export type NodeLoad = typeof NodeLoad.Type

export const Registration = Schema.Struct({
  bootId: MediaNodeBootId,
  /**
   * The boot this one follows on the same node (read from the node's media folder): a node that crashed
   * and restarts takes its lease over at once, while a second process given the same node id waits.
   */
  follows: Schema.NullOr(MediaNodeBootId),
  addresses: MediaNodeAddresses,
  capacity: MediaNodeCapacity,
  region: Schema.NullOr(MediaNodeRegion)
})
export type Registration = typeof Registration.Type

/** How often the node heartbeats, and how long a missed heartbeat is tolerated before its publishers end. */
export const Lease = Schema.Struct({ leaseSeconds: Schema.Int, heartbeatSeconds: Schema.Int })
export type Lease = typeof Lease.Type

export const Heartbeat = Schema.Struct({ bootId: MediaNodeBootId, load: NodeLoad })
export type Heartbeat = typeof Heartbeat.Type

export const HeartbeatAnswer = Schema.Struct({
  /** False when this boot holds no lease any more (declared lost, or replaced): register again. */
  leased: Schema.Boolean,
  /** Whether the node takes new publishers (false while drained). */
  accepting: Schema.Boolean
})
export type HeartbeatAnswer = typeof HeartbeatAnswer.Type

/** nginx's run ids are 8 hex digits; its client ids are counters. */
export const PublishRequest = Schema.Struct({
  bootId: MediaNodeBootId,
  nginxRun: Schema.String.pipe(Schema.check(Schema.isPattern(/^[0-9a-f]{8}$/))),
  /** nginx's client id; a bridged publish (WHIP) is named `w<n>`, a counter of the node's own. */
  clientId: Schema.String.pipe(Schema.check(Schema.isPattern(/^w?\d{1,18}$/))),
  /** What the encoder gave as its stream name: a key, or anything else (refused as an unknown key). */
  streamName: Schema.String.pipe(Schema.check(Schema.isMaxLength(256))),
  address: Schema.String.pipe(Schema.check(Schema.isMaxLength(64))),
  /** How the encoder came in (RTMP when not said, as older nodes do not). */
  protocol: Schema.optionalKey(IngestProtocol)
})
export type PublishRequest = typeof PublishRequest.Type

export const PublishAnswer = Schema.TaggedUnion({
  /**
   * `renditions`: the livestream's adaptive ladder (absent from older control planes: the source alone);
   * `latencyMode`: how its viewers watch (absent from older control planes: `standard`);
   * `dvrWindowSeconds`: how far back they may seek (absent from older control planes: 0, off);
   * `slateImageUrl`: its app's slate image, for a packaged broadcast (absent or null: OnAir's own).
   */
  Accepted: {
    ingestId: IngestId,
    livestreamId: LivestreamId,
    sessionId: SessionId,
    renditions: Schema.optionalKey(RenditionLadder),
    latencyMode: Schema.optionalKey(LatencyMode),
    dvrWindowSeconds: Schema.optionalKey(DvrWindowSeconds),
    slateImageUrl: Schema.optionalKey(SlateImageUrl)
  },
  Refused: { reason: Schema.String }
})
export type PublishAnswer = typeof PublishAnswer.Type

export const ConnectionRequest = Schema.Struct({ ingestId: IngestId })
export const HealthRequest = Schema.Struct({ ingestId: IngestId, health: IngestHealth })
/** A livestream's SRT listener a node runs: its port and passphrase (the stream key). */
export const SrtListenerAssignment = Schema.Struct({
  livestreamId: LivestreamId,
  port: SrtPortNumber,
  streamKey: StreamKey
})
export type SrtListenerAssignment = typeof SrtListenerAssignment.Type

export const SrtListenersAnswer = Schema.Struct({
  listeners: Schema.Array(SrtListenerAssignment).pipe(Schema.check(Schema.isMaxLength(MAX_LIST)))
})

/** A meeting livestream's composer a node runs: the page, the picture's size, and where it publishes. */
export const ComposerAssignment = Schema.Struct({
  livestreamId: LivestreamId,
  sessionId: SessionId,
  meetingUrl: Composer.fields.meetingUrl,
  width: Composer.fields.width,
  height: Composer.fields.height,
  streamKey: StreamKey
})
export type ComposerAssignment = typeof ComposerAssignment.Type

export const ComposersAnswer = Schema.Struct({
  composers: Schema.Array(ComposerAssignment).pipe(Schema.check(Schema.isMaxLength(MAX_LIST)))
})

/** A composer that cannot go on: its broadcast ends with `internal error` and this message. */
export const ComposerFailedRequest = Schema.Struct({
  livestreamId: LivestreamId,
  sessionId: SessionId,
  message: Schema.String.pipe(Schema.check(Schema.isMaxLength(500)))
})

export const RenditionsRefusedRequest = Schema.Struct({
  ingestId: IngestId,
  reason: RenditionsRefusal,
  renditions: Schema.Array(RenditionName)
})

export const EntitledRequest = Schema.Struct({
  connections: Schema.Array(Schema.Struct({ ingestId: IngestId, livestreamId: LivestreamId })).pipe(
    Schema.check(Schema.isMaxLength(MAX_LIST))
  )
})
export const EntitledAnswer = Schema.Struct({ entitled: Schema.Array(IngestId) })

export const LeaveRequest = Schema.Struct({ bootId: MediaNodeBootId })

export const MediaLostRequest = Schema.Struct({
  bootId: MediaNodeBootId,
  message: Schema.String.pipe(Schema.check(Schema.isMaxLength(256)))
})

export const PlaybackRequest = Schema.Struct({
  livestreamId: LivestreamId,
  /** The stream's last health sample too (the master playlist's bandwidth and codecs): one more read. */
  withHealth: Schema.Boolean
})

/** The session a livestream has media for now, and the node serving its HLS. */
export const PlaybackSession = Schema.Struct({
  sessionId: SessionId,
  nodeId: MediaNodeId,
  /** The node's playback base (`…/hls`); null when the node is not known. */
  playbackBase: Schema.NullOr(Schema.String),
  /** Null when not asked for, or not sampled yet. */
  health: Schema.NullOr(IngestHealth),
  /** How the livestream's viewers watch (a node of an older release does not say: `standard`). */
  latencyMode: LatencyMode.pipe(Schema.withDecodingDefaultKey(Effect.succeed("standard" as const)))
})
export type PlaybackSession = typeof PlaybackSession.Type
export const PlaybackAnswer = Schema.Struct({ session: Schema.NullOr(PlaybackSession) })

export const OpenSessionsRequest = Schema.Struct({
  sessionIds: Schema.Array(Schema.String).pipe(Schema.check(Schema.isMaxLength(MAX_LIST)))
})
export const OpenSessionsAnswer = Schema.Struct({ open: Schema.Array(Schema.String) })

export const RecordingRequest = Schema.Struct({ sessionId: SessionId })
export const FinaliseAnswer = Schema.Struct({
  /** Whether the node holds this session's recording and should finalise it now (false: drop the parts). */
  finalise: Schema.Boolean,
  /** Whether its app wants a transcript of it once it is ready. */
  transcribe: Schema.Boolean.pipe(Schema.withDecodingDefaultKey(Effect.succeed(false)))
})
export type FinaliseAnswer = typeof FinaliseAnswer.Type
export const KeptRecordingsRequest = Schema.Struct({
  sessionIds: Schema.Array(Schema.String).pipe(Schema.check(Schema.isMaxLength(MAX_LIST)))
})
export const KeptRecordingsAnswer = Schema.Struct({ kept: Schema.Array(Schema.String) })
export const RecordingReadyRequest = Schema.Struct({
  sessionId: SessionId,
  assets: RecordingAssets,
  storage: StorageOfReady
})
export const RecordingFailedRequest = Schema.Struct({ sessionId: SessionId, reason: RecordingFailure })
/** A relay this node runs now: the session's media (held here) sent on to the target. */
export const RelayAssignment = Schema.Struct({
  targetId: RestreamTargetId,
  sessionId: SessionId,
  url: RestreamUrl,
  streamKey: RestreamStreamKey,
  attempt: Schema.Int,
  /**
   * Which run of connecting this is (when it began, epoch ms; 0 once live): a new run is a new relay
   * process, also when a stop and a start in one session repeat an attempt's number.
   */
  run: Schema.Int,
  /** Whether the target has taken the stream in this attempt already. */
  live: Schema.Boolean,
  /** Whether an `rtmps://` target's certificate must verify. */
  verifyTls: Schema.Boolean
})
export type RelayAssignment = typeof RelayAssignment.Type
/** A running relay's progress, sampled from its ffmpeg. */
export const RelayProgressReport = Schema.Struct({
  targetId: RestreamTargetId,
  sessionId: SessionId,
  bytes: NonNegative,
  bitrateKbps: NonNegative,
  frames: NonNegative,
  speed: NonNegative
})
export type RelayProgressReport = typeof RelayProgressReport.Type
export const RelaysRequest = Schema.Struct({
  progress: Schema.Array(RelayProgressReport).pipe(Schema.check(Schema.isMaxLength(MAX_LIST)))
})
export const RelaysAnswer = Schema.Struct({
  relays: Schema.Array(RelayAssignment).pipe(Schema.check(Schema.isMaxLength(MAX_LIST)))
})
export const RelayRequest = Schema.Struct({ targetId: RestreamTargetId, sessionId: SessionId })
export const RelayFailedRequest = Schema.Struct({
  targetId: RestreamTargetId,
  sessionId: SessionId,
  reason: RelayFailure
})
export const TranscriptReadyRequest = Schema.Struct({ sessionId: SessionId, assets: TranscriptAssets })
export const TranscriptFailedRequest = Schema.Struct({ sessionId: SessionId, reason: TranscriptionFailure })

export const ViewerSecondsRequest = Schema.Struct({
  /** Kept by the node until stored, so a retried batch is counted once. */
  commandId: Schema.String.pipe(Schema.check(Schema.isPattern(/^[A-Za-z0-9_.:-]{1,128}$/))),
  sessionId: SessionId,
  seconds: NonNegative
})

/** The control plane could not be reached or did not answer; the node retries. */
export class MediaControlUnavailable extends Schema.TaggedError<MediaControlUnavailable>()("MediaControlUnavailable", {
  message: Schema.String
}) {}

/** The control plane refused the request (a rule, not an outage): the node does not retry it. */
export class MediaControlRefused extends Schema.TaggedError<MediaControlRefused>()("MediaControlRefused", {
  message: Schema.String
}) {}

type Call<A> = Effect.Effect<A, MediaControlUnavailable>

export class MediaControl extends Context.Service<
  MediaControl,
  {
    /** The node this control acts for. */
    readonly nodeId: MediaNodeId
    /**
     * Registers a boot of the node: the publishers of the boot before it are over. Refused while another
     * running boot holds the node's lease (two processes given the same node id).
     */
    readonly register: (
      registration: Registration
    ) => Effect.Effect<Lease, MediaControlUnavailable | MediaControlRefused>
    readonly heartbeat: (heartbeat: Heartbeat) => Call<HeartbeatAnswer>
    /**
     * The boot stops of its own accord: its lease is given up, so the node's next boot registers at once.
     * Its publishers' ends were reported as nginx closed them.
     */
    readonly leave: (bootId: string) => Call<void>
    /** Decides an nginx `on_publish`. */
    readonly publish: (request: PublishRequest) => Call<PublishAnswer>
    /** A connection ended. */
    readonly publishDone: (ingestId: IngestId) => Call<void>
    readonly reportHealth: (ingestId: IngestId, health: IngestHealth) => Call<void>
    readonly reportManifest: (ingestId: IngestId) => Call<void>
    /** The SRT listeners the node runs now: the livestreams with SRT on that may publish on it. */
    readonly srtListeners: () => Call<ReadonlyArray<SrtListenerAssignment>>
    /** The meeting composers the node runs now: those placed on it whose broadcast is invoked or open. */
    readonly composers: () => Call<ReadonlyArray<ComposerAssignment>>
    /** The node's composer of a session cannot go on (no room, a page that never loaded): its broadcast ends. */
    readonly composerFailed: (livestreamId: LivestreamId, sessionId: SessionId, message: string) => Call<void>
    /** The node passes the connection's source through instead of `renditions` of its ladder, for `reason`. */
    readonly renditionsRefused: (
      ingestId: IngestId,
      reason: RenditionsRefusal,
      renditions: ReadonlyArray<RenditionName>
    ) => Call<void>
    /** Of these connections, the ones whose livestream still has them as its publisher. */
    readonly entitled: (
      connections: ReadonlyArray<{ readonly ingestId: IngestId; readonly livestreamId: LivestreamId }>
    ) => Call<ReadonlyArray<IngestId>>
    /** The node's media server is gone: every connection the catalog holds on this node is over. */
    readonly mediaLost: (bootId: string, message: string) => Call<void>
    readonly playback: (livestreamId: LivestreamId, withHealth: boolean) => Call<PlaybackSession | null>
    /** Of these session ids, the ones whose session is still open. */
    readonly openSessions: (sessionIds: ReadonlyArray<string>) => Call<ReadonlyArray<string>>
    /**
     * The node has a session's recorded parts and the session has ended: whether it holds the session's
     * recording (then it is finalising from now on) or should drop the parts.
     */
    readonly finaliseRecording: (sessionId: SessionId) => Call<FinaliseAnswer>
    /** The recording's files are finished and stored (`storage`: where). */
    readonly recordingReady: (sessionId: SessionId, assets: RecordingAssets, storage: RecordingStorage) => Call<void>
    /** Of these recordings' ids, the ones this node keeps the files of (not deleted, its own). */
    readonly keptRecordings: (sessionIds: ReadonlyArray<string>) => Call<ReadonlyArray<string>>
    readonly recordingFailed: (sessionId: SessionId, reason: RecordingFailure) => Call<void>
    /** The node begins a ready recording's transcript (again, after a restart: once is recorded). */
    readonly transcriptionStarted: (sessionId: SessionId) => Call<void>
    readonly transcriptionReady: (sessionId: SessionId, assets: TranscriptAssets) => Call<void>
    readonly transcriptionFailed: (sessionId: SessionId, reason: TranscriptionFailure) => Call<void>
    /** The restream relays of the sessions this node holds, to run now; `progress` samples the running ones. */
    readonly relays: (progress: ReadonlyArray<RelayProgressReport>) => Call<ReadonlyArray<RelayAssignment>>
    /** A relay reached its target (it takes the stream). */
    readonly relayConnected: (targetId: RestreamTargetId, sessionId: SessionId) => Call<void>
    /** A relay's attempt failed with `reason` (the control plane schedules the retry, or gives up). */
    readonly relayFailed: (targetId: RestreamTargetId, sessionId: SessionId, reason: RelayFailure) => Call<void>
    readonly accrueViewerSeconds: (
      request: typeof ViewerSecondsRequest.Type
    ) => Effect.Effect<void, MediaControlUnavailable | MediaControlRefused>
  }
>()("@onair/adapters-media/MediaControl") {}
