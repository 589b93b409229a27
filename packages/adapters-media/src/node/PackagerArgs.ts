/**
 * The packager's ffmpeg command lines. Both write the source's fragmented MP4 to standard output, a
 * fragment at every keyframe and every `partSeconds`, flushed as each is written. With an adaptive ladder,
 * each rung goes to a pipe of its own (`pipe:3`, `pipe:4`, … in the plan's order), keyed where the source
 * is, so every variant's parts and segments line up. For a `realtime` broadcast, RTP goes to loopback for
 * its WebRTC viewers (`WhepFanOut`): the source's video in Annex B with its parameter sets before each
 * keyframe, audio encoded to Opus (WebRTC's audio) once for every viewer.
 *
 * - A live run reads the session from nginx's loopback relay and copies the source's video and audio (no
 *   re-encode); a ladder's rungs are scaled from one decode and encoded with no look-ahead.
 * - A slate run, while the encoder is away inside its reconnect window, loops a still image (the app's
 *   `slate_image_url` when it has one, else OnAir's own) at the source's size and frame rate (and each
 *   rung's size), with silence when the source has audio, keyed every second, paced in real time.
 */
import { type LadderPlan, rungVideoArgs, scaleFilter } from "./RenditionLadders.ts"
import type { RtpTargets } from "./WhepFanOut.ts"

/** The file descriptor a ladder's rung `index` (in the plan's order) is written to. */
export const rungPipe = (index: number): number => 3 + index

const FRAGMENTED_MP4 = (partSeconds: number, pipe = 1) => [
  "-f",
  "mp4",
  "-movflags",
  "frag_keyframe+empty_moov+default_base_moof",
  "-frag_duration",
  String(Math.round(partSeconds * 1_000_000)),
  "-flush_packets",
  "1",
  `pipe:${pipe}`
]

const QUIET = ["-nostdin", "-hide_banner", "-loglevel", "error"]

/** Where a run's RTP goes (its own SSRCs), and whether there is audio to send. */
export interface RtpOutputs extends RtpTargets {
  readonly audio: boolean
}

/**
 * A packet fits a WebRTC path's MTU with SRTP's overhead; RTCP goes to the same port, where the fan-out
 * drops it (no port beside it is left to ICMP errors).
 */
const rtpUrl = (port: number) => `rtp://127.0.0.1:${port}?pkt_size=1200&rtcpport=${port}`

/**
 * The RTP outputs after the MP4 ones: `video` and `audio` name the streams, `videoCodec` how the video is
 * written (copied, or the slate's encode).
 */
const RTP = (rtp: RtpOutputs | null, video: string, audio: string, videoCodec: ReadonlyArray<string>) =>
  rtp === null
    ? []
    : [
        ...["-map", video, ...videoCodec, "-bsf:v", "h264_mp4toannexb"],
        ...["-ssrc", String(rtp.videoSsrc | 0), "-payload_type", "96", "-f", "rtp", rtpUrl(rtp.videoPort)],
        ...(rtp.audio
          ? [
              ...["-map", audio, "-c:a", "libopus", "-b:a", "96k", "-ar", "48000", "-ac", "2"],
              ...["-application", "lowdelay", "-frame_duration", "20"],
              ...["-ssrc", String(rtp.audioSsrc | 0), "-payload_type", "111", "-f", "rtp", rtpUrl(rtp.audioPort)]
            ]
          : [])
      ]

export const liveArgs = (
  input: string,
  partSeconds: number,
  rtp: RtpOutputs | null = null,
  ladder: LadderPlan | null = null
): ReadonlyArray<string> => [
  ...QUIET,
  ...["-rw_timeout", "10000000", "-i", input],
  ...(ladder === null ? [] : ["-filter_complex", scaleFilter(ladder)]),
  ...["-map", "0:v?", "-map", "0:a?", "-c", "copy"],
  ...FRAGMENTED_MP4(partSeconds),
  ...(ladder?.rungs ?? []).flatMap((rung, index) => [
    ...["-map", `[o${index}]`, "-map", "0:a:0?", ...rungVideoArgs(rung, "v", true), "-sc_threshold", "0"],
    ...["-c:a", "copy", ...FRAGMENTED_MP4(partSeconds, rungPipe(index))]
  ]),
  ...RTP(rtp, "0:v:0", "0:a:0", ["-c:v", "copy"])
]

/** What a slate matches of the live source it stands in for. */
export interface SlateShape {
  readonly width: number
  readonly height: number
  readonly fps: number
  readonly audio: boolean
}

/** The shape of a slate for a source not yet measured. */
export const DEFAULT_SLATE_SHAPE: SlateShape = { width: 1280, height: 720, fps: 30, audio: true }

export const slateArgs = (
  image: string,
  shape: SlateShape,
  partSeconds: number,
  rtp: RtpOutputs | null = null,
  ladder: LadderPlan | null = null
): ReadonlyArray<string> => {
  // Even sizes (yuv420p), a sane rate: a slate costs a still image's encode, a few percent of a core.
  const even = (value: number) => Math.max(2, Math.min(3840, Math.round(value / 2) * 2))
  const [width, height] = [even(shape.width), even(shape.height)]
  const fps = Math.max(1, Math.min(60, Math.round(shape.fps > 0 ? shape.fps : 30)))
  const encode = ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", String(fps)]
  const picture = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,format=yuv420p`
  const rungs = ladder?.rungs ?? []
  // A still picture costs little to encode more than once: for HLS, each rung and WebRTC (no B-frames).
  const outputs = ["[hls]", ...(rtp === null ? [] : ["[rtp]"]), ...rungs.map((_, index) => `[l${index}]`)]
  const scaled = rungs.map((rung, index) => `;[l${index}]scale=${rung.width}:${rung.height}[s${index}]`)
  const silence = (shape.audio ? ["-map", "1:a"] : []) as ReadonlyArray<string>
  const aac = shape.audio ? ["-c:a", "aac", "-b:a", "64k"] : []
  return [
    ...QUIET,
    ...["-re", "-loop", "1", "-framerate", String(fps), "-i", image],
    ...(shape.audio ? ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo"] : []),
    ...[
      "-filter_complex",
      `[0:v]${picture}${outputs.length > 1 ? `,split=${outputs.length}${outputs.join("")}` : "[hls]"}${scaled.join("")}`
    ],
    ...["-map", "[hls]", ...silence, ...encode, ...aac],
    ...FRAGMENTED_MP4(partSeconds),
    ...rungs.flatMap((_, index) => [
      ...["-map", `[s${index}]`, ...silence, ...encode, ...aac],
      ...FRAGMENTED_MP4(partSeconds, rungPipe(index))
    ]),
    ...RTP(rtp === null ? null : { ...rtp, audio: rtp.audio && shape.audio }, "[rtp]", "1:a", encode)
  ]
}
