/**
 * A livestream's adaptive ladder made concrete for one publisher's source, and what it costs. Pure.
 *
 * - Rungs at or above the source's height are not made: no upscaling. The source stands in for them, so a
 *   ladder never loses its top quality.
 * - Each rung keeps the source's aspect ratio (even width).
 * - Bitrates follow common ladders (Apple's HLS authoring guidance, scaled to frame rate).
 * - Every transcoded rung puts a keyframe where the source has one (`-force_key_frames source`, no scene
 *   cuts). One HLS muxer writes the source (copied) and every rung, so segments line up across variants.
 *
 * The CPU cost is libx264 `veryfast`'s, measured per pixel per second on this project's CI machine:
 * `./onair bench media` (`ONAIR_BENCH_ONLY=renditions`) measures it again.
 */
import type { RenditionLadder, RenditionName } from "@onair/core"

export type RungName = Exclude<RenditionName, "source">

const HEIGHTS: Readonly<Record<RungName, number>> = {
  "1080p": 1080,
  "720p": 720,
  "480p": 480,
  "360p": 360,
  "240p": 240
}
/** Video kbit/s at 30 fps. */
const KBPS_AT_30: Readonly<Record<RungName, number>> = {
  "1080p": 4500,
  "720p": 2500,
  "480p": 1000,
  "360p": 600,
  "240p": 300
}

/**
 * Share of one core per pixel per second to encode a rung (libx264 veryfast, with its scaling), and to
 * decode the source once for all rungs. Fitted to `./onair bench media` (renditions) on the CI machine
 * (2 cores, 2026-11), from a 1280x720 30 fps source with motion (testsrc2): one 480p rung took 28 % of a
 * core, one 360p 23 %, one 240p 18 %, and 480p with 360p and the source copied 40 %.
 */
export const ENCODE_CORE_PER_PIXEL = 1.2e-8
export const DECODE_CORE_PER_PIXEL = 0.55e-8

export interface Source {
  readonly width: number
  readonly height: number
  readonly fps: number
}

export interface Rung {
  readonly name: RungName
  readonly width: number
  readonly height: number
  readonly videoKbps: number
}

export interface LadderPlan {
  /** Whether the source is one of the variants (copied, not transcoded). */
  readonly source: boolean
  readonly rungs: ReadonlyArray<Rung>
}

const even = (value: number) => Math.max(2, Math.round(value / 2) * 2)

/** The variants `ladder` gives for `source`; null when it transcodes nothing (the source alone is served). */
export const plan = (ladder: RenditionLadder, source: Source): LadderPlan | null => {
  const asked = ladder.filter((name): name is RungName => name !== "source")
  const rungs = asked
    .filter((name) => HEIGHTS[name] < source.height)
    .sort((a, b) => HEIGHTS[b] - HEIGHTS[a])
    .map((name) => {
      const height = HEIGHTS[name]
      const fps = source.fps > 0 ? source.fps : 30
      return {
        name,
        height,
        width: even((height * source.width) / source.height),
        videoKbps: Math.round(KBPS_AT_30[name] * Math.min(2, Math.max(0.5, fps / 30)))
      }
    })
  if (rungs.length === 0) return null
  const standsIn = asked.length > rungs.length
  return { source: ladder.includes("source") || standsIn, rungs }
}

/** Shares of one core the plan's transcoding takes (the decode once, each rung's encode). */
export const cost = (ladder: LadderPlan, source: Source): number => {
  const fps = source.fps > 0 ? source.fps : 30
  const encode = ladder.rungs.reduce((sum, rung) => sum + rung.width * rung.height * fps * ENCODE_CORE_PER_PIXEL, 0)
  return source.width * source.height * fps * DECODE_CORE_PER_PIXEL + encode
}

/** The variants' names in the order the muxer writes them. */
export const variantNames = (ladder: LadderPlan): ReadonlyArray<RenditionName> => [
  ...(ladder.source ? ["source" as const] : []),
  ...ladder.rungs.map((rung) => rung.name)
]

/**
 * libx264's options for `rung`'s video on the output stream `specifier` names (`v:1`, or `v` for an
 * output's only video): keyframes where the source has them, at the rung's bitrate. `lowLatency` adds
 * x264's zero-latency tuning (no look-ahead, no B-frames), so a rung's parts come as soon as the source's.
 */
export const rungVideoArgs = (rung: Rung, specifier: string, lowLatency = false): ReadonlyArray<string> => [
  ...[`-c:${specifier}`, "libx264", `-preset:${specifier}`, "veryfast", `-profile:${specifier}`, "main"],
  ...(lowLatency ? [`-tune:${specifier}`, "zerolatency"] : []),
  ...[`-b:${specifier}`, `${rung.videoKbps}k`, `-maxrate:${specifier}`, `${Math.round(rung.videoKbps * 1.1)}k`],
  ...[`-bufsize:${specifier}`, `${rung.videoKbps * 2}k`, `-force_key_frames:${specifier}`, "source"],
  ...[`-pix_fmt:${specifier}`, "yuv420p"]
]

/** The filter that scales the source once per rung: `[o0]`, `[o1]`, … in the plan's order. */
export const scaleFilter = (ladder: LadderPlan): string => {
  const split = ladder.rungs.map((_, index) => `[r${index}]`).join("")
  const scales = ladder.rungs.map((rung, index) => `[r${index}]scale=${rung.width}:${rung.height}[o${index}]`)
  return `[0:v]split=${ladder.rungs.length}${split};${scales.join(";")}`
}

/**
 * ffmpeg's arguments: read `input`, write each variant's HLS under `dir/<name>/` with `master.m3u8` beside
 * them. `audio`: whether the source has audio (copied into every variant).
 */
export const ffmpegArgs = (
  ladder: LadderPlan,
  input: string,
  dir: string,
  options: { readonly audio: boolean; readonly fragmentSeconds: number; readonly playlistSeconds: number }
): ReadonlyArray<string> => {
  const filter = scaleFilter(ladder)
  const maps: Array<string> = []
  const codecs: Array<string> = []
  const names = variantNames(ladder)
  let video = 0
  if (ladder.source) {
    maps.push("-map", "0:v:0", ...(options.audio ? ["-map", "0:a:0"] : []))
    codecs.push(`-c:v:${video}`, "copy")
    video++
  }
  ladder.rungs.forEach((rung, index) => {
    maps.push("-map", `[o${index}]`, ...(options.audio ? ["-map", "0:a:0"] : []))
    codecs.push(...rungVideoArgs(rung, `v:${video}`))
    video++
  })
  const streams = names.map((name, index) => `v:${index}${options.audio ? `,a:${index}` : ""},name:${name}`).join(" ")
  return [
    "-nostdin",
    "-hide_banner",
    "-loglevel",
    "error",
    "-rw_timeout",
    "10000000",
    "-i",
    input,
    "-filter_complex",
    filter,
    ...maps,
    ...codecs,
    "-sc_threshold",
    "0",
    ...(options.audio ? ["-c:a", "copy"] : []),
    "-f",
    "hls",
    "-hls_time",
    String(options.fragmentSeconds),
    "-hls_list_size",
    String(Math.max(3, Math.round(options.playlistSeconds / options.fragmentSeconds))),
    "-hls_flags",
    "delete_segments+independent_segments",
    "-var_stream_map",
    streams,
    "-master_pl_name",
    "master.m3u8",
    "-hls_segment_filename",
    `${dir}/%v/%d.ts`,
    `${dir}/%v/index.m3u8`
  ]
}

export interface MasterVariant {
  readonly name: string
  readonly bandwidth: number
  readonly width: number
  readonly height: number
  readonly codecs: ReadonlyArray<string>
}

/** The variants of ffmpeg's `master.m3u8` (`<name>/index.m3u8` each), as it wrote them. */
export const readMaster = (text: string): ReadonlyArray<MasterVariant> => {
  const variants: Array<MasterVariant> = []
  const lines = text.split("\n").map((line) => line.trim())
  lines.forEach((line, index) => {
    if (!line.startsWith("#EXT-X-STREAM-INF:")) return
    const uri = lines.slice(index + 1).find((next) => next !== "" && !next.startsWith("#"))
    const name = /^([\w-]+)\/index\.m3u8$/.exec(uri ?? "")?.[1]
    if (name === undefined) return
    const bandwidth = Number(/BANDWIDTH=(\d+)/.exec(line)?.[1] ?? 0)
    const [width, height] = (/RESOLUTION=(\d+)x(\d+)/.exec(line) ?? []).slice(1).map(Number)
    const codecs =
      /CODECS="([^"]*)"/
        .exec(line)?.[1]
        ?.split(",")
        .filter((codec) => codec !== "") ?? []
    variants.push({ name, bandwidth, width: width ?? 0, height: height ?? 0, codecs })
  })
  return variants
}
