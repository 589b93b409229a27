/**
 * The keyframe interval of each live session, read from its newest HLS segments: ffprobe lists the video
 * packets of the last three segments (read as one, their timestamps continue) without decoding them, and
 * the interval is the median gap between keyframes. A segment always starts with a keyframe, so a
 * keyframe every 2 s and 2 s segments still give two keyframes to measure. Each session is measured at
 * most every `EVERY_MILLIS`, and the node keeps at most `MAX_SESSIONS` results.
 */
import type { SessionId } from "@onair/core"
import { Clock, Duration, Effect, Option } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { runTool } from "./ToolRun.ts"

const EVERY_MILLIS = 30_000
const MAX_SESSIONS = 10_000
const SEGMENTS = 3
const TIMEOUT = Duration.seconds(3)

/** The median gap between the keyframes of ffprobe's `pts_time,flags` lines, in seconds. */
export const medianKeyframeGap = (packets: string): number | undefined => {
  const keyframes = packets
    .split("\n")
    .map((line) => line.trim().split(","))
    .filter(([pts, flags]) => pts !== undefined && pts !== "" && pts !== "N/A" && (flags ?? "").includes("K"))
    .map(([pts]) => Number(pts))
    .filter(Number.isFinite)
  const gaps = keyframes
    .slice(1)
    .map((at, index) => at - keyframes[index]!)
    .filter((gap) => gap > 0)
    .sort((a, b) => a - b)
  if (gaps.length === 0) return undefined
  return Math.round(gaps[Math.floor(gaps.length / 2)]! * 100) / 100
}

/** The newest segments the session's live playlist names (files that exist). */
const newestSegments = (sessionDir: string): ReadonlyArray<string> => {
  const playlist = Fs.readFileSync(Path.join(sessionDir, "index.m3u8"), "utf8")
  return playlist
    .split("\n")
    .filter((line) => /^[\w.-]+\.ts$/.test(line.trim()))
    .slice(-SEGMENTS)
    .map((name) => Path.join(sessionDir, name.trim()))
    .filter((file) => Fs.existsSync(file))
}

export const make = (hlsDir: string) => {
  const known = new Map<SessionId, { readonly at: number; readonly seconds: number | undefined }>()

  const measure = (session: SessionId) =>
    Effect.gen(function* () {
      const segments = yield* Effect.try(() => newestSegments(Path.join(hlsDir, session))).pipe(
        Effect.orElseSucceed(() => [])
      )
      if (segments.length === 0) return undefined
      const packets = yield* runTool(
        "ffprobe",
        [
          "-v",
          "error",
          "-select_streams",
          "v:0",
          "-show_entries",
          "packet=pts_time,flags",
          "-of",
          "csv=p=0",
          `concat:${segments.join("|")}`
        ],
        4 * 1024 * 1024
      ).pipe(
        Effect.timeoutOption(TIMEOUT),
        Effect.map(Option.getOrUndefined),
        Effect.orElseSucceed(() => undefined)
      )
      return packets === undefined ? undefined : medianKeyframeGap(packets)
    })

  /** The session's keyframe interval in seconds, measured again when the last measure is old. */
  const of = (session: SessionId) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const last = known.get(session)
      if (last !== undefined && now - last.at < EVERY_MILLIS && last.seconds !== undefined) return last.seconds
      const seconds = yield* measure(session)
      known.delete(session)
      known.set(session, { at: now, seconds: seconds ?? last?.seconds })
      // The oldest measured go first.
      for (const key of known.keys()) {
        if (known.size <= MAX_SESSIONS) break
        known.delete(key)
      }
      return seconds ?? last?.seconds
    })

  return { of }
}

export type KeyframeIntervals = ReturnType<typeof make>
