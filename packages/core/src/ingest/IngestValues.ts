/**
 * What the media plane reports about an encoder connection.
 */
import { Schema } from "effect"

const NonNegative = Schema.Finite.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))
const Pixels = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 16_384 })))
/** RFC 6381 codec ids as HLS uses them: `avc1.640028`, `mp4a.40.2`. */
const CodecId = Schema.String.pipe(Schema.check(Schema.isPattern(/^[A-Za-z0-9.]{0,32}$/)))

export const PublisherAddress = Schema.Struct({
  ip: Schema.String.pipe(Schema.check(Schema.isMaxLength(64))),
  port: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 65_535 })))
})
export type PublisherAddress = typeof PublisherAddress.Type

/**
 * How the encoder reached the media node: RTMP or RTMPS straight into nginx, WebRTC through the node's
 * WHIP endpoint, SRT through one of its listeners. Absent in events from before there was a choice (RTMP).
 */
export const IngestProtocol = Schema.Literals(["rtmp", "rtmps", "webrtc", "srt"])
export type IngestProtocol = typeof IngestProtocol.Type

/** The protocol of a publish, RTMP when it was recorded before protocols were. */
export const protocolOf = (publish: { readonly protocol?: IngestProtocol | undefined }): IngestProtocol =>
  publish.protocol ?? "rtmp"

/**
 * Why a media node passes the source through instead of transcoding the livestream's ladder: it has no
 * CPU left for it (its budget is `ONAIR_ABR_CPU_CORES`).
 */
export const RenditionsRefusal = Schema.Literals(["no cpu budget"])
export type RenditionsRefusal = typeof RenditionsRefusal.Type

/** One transcoded quality of an ABR ladder. */
export const Rendition = Schema.Struct({
  name: Schema.String.pipe(Schema.check(Schema.isPattern(/^[A-Za-z0-9_-]{1,64}$/))),
  width: Pixels,
  height: Pixels,
  videoCodecId: CodecId,
  audioCodecId: CodecId,
  /** Bits per second. */
  bandwidth: NonNegative
})
export type Rendition = typeof Rendition.Type

/** One sample of the source stream's health. Bitrates in bits per second. */
export const IngestHealth = Schema.Struct({
  width: Pixels,
  height: Pixels,
  videoCodecId: CodecId,
  audioCodecId: CodecId,
  videoBitrate: NonNegative,
  audioBitrate: NonNegative,
  videoFps: NonNegative,
  renditions: Schema.Array(Rendition),
  /** Seconds between keyframes, once measured from the stream's segments (absent before, and in older events). */
  keyframeInterval: Schema.optional(NonNegative)
})
export type IngestHealth = typeof IngestHealth.Type
