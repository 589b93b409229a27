/**
 * Value types of a livestream's configuration.
 */
import { Schema } from "effect"
import { MediaNodeId, StreamKey } from "../Ids.ts"
import { MediaNodeRegion } from "../node/MediaNodeValues.ts"
import { Timestamp } from "../Time.ts"

/** The seed's status enum, exactly. */
export const LivestreamStatus = Schema.Literals(["LIVE", "IDLE", "ERRORED", "INVOKED"])
export type LivestreamStatus = typeof LivestreamStatus.Type

/** How long an encoder may be gone before its session ends: 0–1800 s, 60 s unless set. */
export const ReconnectWindowSeconds = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 1800 })))
export const DEFAULT_RECONNECT_WINDOW_SECONDS = 60

/** The livestream name as the seed's `name` (nullable there); bounded so it fits any view. */
/**
 * The qualities a livestream's viewers may get (adaptive bitrate): `source` is the publisher's own stream
 * passed through, the others are transcoded to that height (never above the source's). Empty: the source
 * alone, as it comes.
 */
export const RenditionName = Schema.Literals(["source", "1080p", "720p", "480p", "360p", "240p"])
export type RenditionName = typeof RenditionName.Type
export const RenditionLadder = Schema.Array(RenditionName).pipe(
  Schema.check(
    Schema.makeFilter(
      (names: ReadonlyArray<string>) => new Set(names).size === names.length || "each rendition at most once"
    )
  )
)
export type RenditionLadder = typeof RenditionLadder.Type

/**
 * How far behind the publisher its viewers watch (OnAir's own): `standard` is ordinary HLS (2-second MPEG-TS
 * segments, 5-7 s behind), `low` is low-latency HLS (CMAF parts of a third of a second, about 2 s behind),
 * `realtime` adds WebRTC playback for the players that can take it (low-latency HLS for the rest).
 */
export const LatencyMode = Schema.Literals(["standard", "low", "realtime"])
export type LatencyMode = typeof LatencyMode.Type

/**
 * How much of a broadcast its live playlist keeps for players to seek back in (OnAir's own): 0 is off (the
 * playlist's usual window), up to 4 hours. Served from OnAir's packager, on the media node's disk.
 */
export const DvrWindowSeconds = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 14_400 })))
export type DvrWindowSeconds = typeof DvrWindowSeconds.Type

export const LivestreamName = Schema.String.pipe(Schema.check(Schema.isMaxLength(256)))

/** Start-livestreaming-a-meeting's `video_config`. */
export const VideoConfig = Schema.Struct({
  width: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 16, maximum: 7680 }))),
  height: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 16, maximum: 4320 })))
})
export type VideoConfig = typeof VideoConfig.Type

/**
 * The page a meeting's composer opens (OnAir's own): an http(s) URL of at most 2048 characters, its host
 * checked against the guarded outbound rules where it is given.
 */
export const MeetingUrl = Schema.String.pipe(
  Schema.check(Schema.isMaxLength(2048)),
  Schema.check(Schema.makeFilter((text: string) => /^https?:\/\/[^\s]+$/i.test(text) || "an http or https URL"))
)
export type MeetingUrl = typeof MeetingUrl.Type

/**
 * A meeting livestream's composer (the seed's beam): the page it opens, the picture's size, and the media
 * node that runs it (chosen when the livestream starts, as its publishers' node is).
 */
export const Composer = Schema.Struct({
  meetingUrl: MeetingUrl,
  width: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 16, maximum: 7680 }))),
  height: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 16, maximum: 4320 }))),
  node: MediaNodeId
})
export type Composer = typeof Composer.Type

/**
 * Cores a composer of a `width`x`height` picture takes: Chromium rendering the page, Xvfb, PulseAudio and
 * x264 `veryfast` encoding it measured 0.73 of a core at 1280x720 and 30 fps on this project's CI machine
 * (`pnpm bench:composer`, 2026-12-08); scaled by pixels, at least 0.2.
 */
export const composerCores = (width: number, height: number): number =>
  Math.max(0.2, (0.75 * width * height) / (1280 * 720))

/**
 * Timers a broadcast runs under, fixed when the livestream is created so a timer's due time is a fact of
 * the log, not of whatever the worker's configuration is when it fires.
 */
export const BroadcastLimits = Schema.Struct({
  /** An invoked broadcast with no media for this long ends with `start timeout`. */
  startTimeoutSeconds: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 7 * 86_400 }))),
  /** A broadcast with media for this long ends with `maximum duration reached` and the key is disabled. */
  maxDurationSeconds: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 7 * 86_400 })))
})
export type BroadcastLimits = typeof BroadcastLimits.Type
export const DEFAULT_BROADCAST_LIMITS: BroadcastLimits = { startTimeoutSeconds: 3600, maxDurationSeconds: 43_200 }

/**
 * How long a composed meeting may have no participant but its composer before its broadcast stops with
 * `last peer left`: the seed's beam waits five minutes.
 */
export const EMPTY_MEETING_SECONDS = 300

/**
 * Where a livestream's publishers may go: a pinned media node, a region label, or (both null) any node
 * that takes publishers. An OnAir extension of create and PATCH (`media_node`, `region`).
 */
export const Placement = Schema.Struct({
  node: Schema.NullOr(MediaNodeId),
  region: Schema.NullOr(MediaNodeRegion)
})
export type Placement = typeof Placement.Type
export const ANY_NODE: Placement = { node: null, region: null }

/** Why a livestream's key was disabled: by its owner, by the duration limit, or by stopping it. */
/** How long a rotated-away key still publishes: up to 24 hours (0: it stops at once). */
export const KeyGraceSeconds = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 86_400 })))

/** The key a rotation with grace left publishing, until when (sealed at rest as the current one is). */
export const PreviousStreamKey = Schema.Struct({ streamKey: StreamKey, expiresAt: Timestamp })
export type PreviousStreamKey = typeof PreviousStreamKey.Type

export const DisableReason = Schema.Literals(["requested", "maximum duration reached", "stopped"])
export type DisableReason = typeof DisableReason.Type

/**
 * Why an encoder was refused: the webhook seed's `ingest.start.failure` messages, plus an unknown key and
 * a media node that takes no new publishers (drained, or lost to the control plane).
 */
export const PublishRefusal = Schema.Literals([
  "unknown key",
  "stream key disabled",
  "already connected",
  "media node not accepting",
  "wrong media node",
  /** A rotated-away key whose grace is over (a key rotated without grace is simply unknown). */
  "stream key expired"
])
export type PublishRefusal = typeof PublishRefusal.Type
