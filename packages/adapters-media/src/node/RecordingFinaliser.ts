/**
 * A session's recording finalised on its media node: the parts nginx wrote (one FLV per connection of the
 * session, in order: a reconnect inside the window adds a part) become one MP4 (H.264/AAC as published,
 * `+faststart`), an HLS VOD playlist (`EXT-X-ENDLIST`) beside it, and a poster JPEG. Nothing is
 * re-encoded: the parts are joined and remuxed (`-c copy`), so finalising costs a small share of the
 * recording's duration, and the joints leave no gap (the time between connections is not recorded) and
 * no frame twice. The MP4's duration, size, resolution, codecs and SHA-256 are read back from what was
 * written.
 *
 * Files are the node's owner's alone (umask 077). A failure names its reason: no media, a full disk, or
 * what ffmpeg said.
 */
import { Data, Effect } from "effect"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { runTool } from "./ToolRun.ts"

/** Why a recording could not be finalised. */
export type FinaliseFailure = "no media" | "disk full" | "finalise failed"

export class RecordingNotFinalised extends Data.TaggedError("RecordingNotFinalised")<{
  readonly reason: FinaliseFailure
  readonly detail: string
}> {}

export interface FinalisedRecording {
  /** The MP4, the VOD playlist (its segments beside it) and the poster, under the output folder. */
  readonly mp4: string
  readonly vodPlaylist: string
  readonly poster: string
  readonly durationSeconds: number
  /** Bytes of the MP4. */
  readonly size: number
  readonly width: number
  readonly height: number
  readonly videoCodec: string
  readonly audioCodec: string
  /** Hex SHA-256 of the MP4. */
  readonly sha256: string
  /** Bytes of the HLS VOD: its playlist and segments. */
  readonly vodSize: number
}

/** VOD segment length: longer than live's, fewer files. */
const VOD_SEGMENT_SECONDS = 6
/** ffmpeg's own errors are short; more is not kept. */
const MAX_OUTPUT = 64 * 1024

const failure = (detail: string): RecordingNotFinalised =>
  new RecordingNotFinalised({
    reason: /No space left on device|ENOSPC/i.test(detail) ? "disk full" : "finalise failed",
    detail: detail.slice(-500)
  })

/** Runs a tool to its end; its stdout, or why it failed. */
const run = (file: string, args: ReadonlyArray<string>) =>
  Effect.mapError(runTool(file, args, MAX_OUTPUT), (error) => failure(`${file}: ${error.stderr || error.message}`))

/** A filesystem step of finalising; a full disk fails it as `disk full`. */
export const fsStep = <A>(step: () => A) => Effect.try({ try: step, catch: (cause) => failure(String(cause)) })

const sha256Of = (file: string) =>
  Effect.tryPromise({
    try: () =>
      new Promise<string>((resolve, reject) => {
        const hash = createHash("sha256")
        Fs.createReadStream(file)
          .on("data", (chunk) => hash.update(chunk))
          .on("error", reject)
          .on("end", () => resolve(hash.digest("hex")))
      }),
    catch: (cause) => failure(String(cause))
  })

interface Probe {
  readonly format?: { readonly duration?: string; readonly size?: string }
  readonly streams?: ReadonlyArray<{
    readonly codec_type?: string
    readonly codec_name?: string
    readonly width?: number
    readonly height?: number
  }>
}

/**
 * The MP4 and the VOD each take about the parts' size: finalising needs twice that free, and a little more
 * for the poster and the playlists. Refused up front, the disk is not filled to the last byte.
 */
const SPACE_FACTOR = 2.1

const bytesOf = (files: ReadonlyArray<string>) => files.reduce((total, file) => total + Fs.statSync(file).size, 0)

/** Joins `parts` (in order) into a finalised recording under `outDir`. */
export const finalise = (parts: ReadonlyArray<string>, outDir: string) =>
  Effect.gen(function* () {
    const present = yield* fsStep(() => parts.filter((part) => Fs.existsSync(part) && Fs.statSync(part).size > 0))
    if (present.length === 0)
      return yield* new RecordingNotFinalised({ reason: "no media", detail: "no recorded part" })
    yield* fsStep(() => Fs.mkdirSync(Path.join(outDir, "vod"), { recursive: true, mode: 0o700 }))
    const needed = Math.ceil(bytesOf(present) * SPACE_FACTOR)
    const free = yield* fsStep(() => {
      const stats = Fs.statfsSync(outDir)
      return stats.bavail * stats.bsize
    })
    if (free < needed) {
      return yield* new RecordingNotFinalised({ reason: "disk full", detail: `${needed} bytes needed, ${free} free` })
    }
    const list = Path.join(outDir, "parts.txt")
    // The concat demuxer's own quoting: a single quote closes, is escaped, and opens again.
    yield* fsStep(() =>
      Fs.writeFileSync(list, present.map((part) => `file '${part.replaceAll("'", "'\\''")}'\n`).join(""))
    )
    const mp4 = Path.join(outDir, "recording.mp4")
    yield* run("ffmpeg", [
      "-nostdin",
      "-v",
      "error",
      "-y",
      "-f",
      "concat",
      "-safe",
      "0",
      "-i",
      list,
      "-map",
      "0:v?",
      "-map",
      "0:a?",
      "-c",
      "copy",
      "-movflags",
      "+faststart",
      mp4
    ])
    const probe = JSON.parse(
      yield* run("ffprobe", [
        "-v",
        "error",
        "-show_entries",
        "format=duration,size:stream=codec_type,codec_name,width,height",
        "-of",
        "json",
        mp4
      ])
    ) as Probe
    const video = probe.streams?.find((stream) => stream.codec_type === "video")
    const audio = probe.streams?.find((stream) => stream.codec_type === "audio")
    const durationSeconds = Number(probe.format?.duration ?? 0)
    if (video === undefined || !(durationSeconds > 0)) {
      return yield* new RecordingNotFinalised({ reason: "no media", detail: "the recorded parts hold no video" })
    }
    const vodPlaylist = Path.join(outDir, "vod", "index.m3u8")
    yield* run("ffmpeg", [
      "-nostdin",
      "-v",
      "error",
      "-y",
      "-i",
      mp4,
      "-map",
      "0",
      "-c",
      "copy",
      "-f",
      "hls",
      "-hls_time",
      String(VOD_SEGMENT_SECONDS),
      "-hls_playlist_type",
      "vod",
      "-hls_segment_filename",
      Path.join(outDir, "vod", "%d.ts"),
      vodPlaylist
    ])
    const poster = Path.join(outDir, "poster.jpg")
    yield* run("ffmpeg", [
      "-nostdin",
      "-v",
      "error",
      "-y",
      "-ss",
      String(Math.min(1, durationSeconds / 2)),
      "-i",
      mp4,
      "-frames:v",
      "1",
      "-q:v",
      "3",
      poster
    ])
    yield* fsStep(() => Fs.rmSync(list, { force: true }))
    return {
      mp4,
      vodPlaylist,
      poster,
      durationSeconds,
      size: Number(probe.format?.size ?? Fs.statSync(mp4).size),
      width: video.width ?? 0,
      height: video.height ?? 0,
      videoCodec: video.codec_name ?? "",
      audioCodec: audio?.codec_name ?? "",
      sha256: yield* sha256Of(mp4),
      vodSize: yield* fsStep(() =>
        bytesOf(Fs.readdirSync(Path.join(outDir, "vod")).map((name) => Path.join(outDir, "vod", name)))
      )
    } satisfies FinalisedRecording
  })
