/**
 * Live thumbnails: a JPEG of a live session's newest frame the node can give at once, the first frame of
 * the newest HLS segment in the session's live playlist (a keyframe at most one fragment old), decoded by
 * ffmpeg. Each session's thumbnail is kept for `FRESH_MILLIS`, so any number of requests cost one ffmpeg
 * run per session every few seconds; requests for the same session meanwhile wait for the same run. At
 * most `MAX_SESSIONS` are remembered.
 */
import type { SessionId } from "@onair/core"
import { Clock, Deferred, Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { runToolBytes } from "./ToolRun.ts"

/** How long a thumbnail is served before a new one is made. */
export const FRESH_MILLIS = 5_000
const MAX_SESSIONS = 1_000
/** A frame larger than this is not a thumbnail (4K JPEG frames are a few MB at most). */
const MAX_BYTES = 16 * 1024 * 1024
const FFMPEG_TIMEOUT_MILLIS = 10_000

/** The newest segment a live playlist names, if any. */
export const newestSegment = (playlist: string): string | undefined =>
  playlist
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^\d{1,12}\.ts$/.test(line))
    .at(-1)

/** The first frame of a segment as JPEG, by ffmpeg; undefined when it cannot be read. */
/** The segment's first frame as a JPEG, or undefined when ffmpeg made none. */
const frameOf = (segment: string) =>
  runToolBytes(
    "ffmpeg",
    [
      "-nostdin",
      "-v",
      "error",
      "-i",
      segment,
      "-frames:v",
      "1",
      "-q:v",
      "4",
      "-f",
      "image2",
      "-c:v",
      "mjpeg",
      "pipe:1"
    ],
    { maxBuffer: MAX_BYTES, timeoutMillis: FFMPEG_TIMEOUT_MILLIS }
  ).pipe(
    Effect.map((jpeg) => (jpeg.length > 0 ? jpeg : undefined)),
    Effect.orElseSucceed(() => undefined)
  )

interface Kept {
  readonly at: number
  readonly jpeg: Deferred.Deferred<Uint8Array | undefined>
}

export class Thumbnails {
  private readonly kept = new Map<SessionId, Kept>()

  /** The session's thumbnail from its folder under `hlsDir`: a kept one, or a new one. */
  of(hlsDir: string, session: SessionId): Effect.Effect<Uint8Array | undefined> {
    return Effect.gen({ self: this }, function* () {
      const now = yield* Clock.currentTimeMillis
      const known = this.kept.get(session)
      if (known !== undefined && now - known.at < FRESH_MILLIS) return yield* Deferred.await(known.jpeg)
      const jpeg = yield* Deferred.make<Uint8Array | undefined>()
      this.kept.delete(session)
      if (this.kept.size >= MAX_SESSIONS) this.kept.delete(this.kept.keys().next().value!)
      this.kept.set(session, { at: now, jpeg })
      // Whoever waits for this run gets its answer even if the request that started it goes away.
      const made = yield* Effect.uninterruptible(
        Effect.gen(function* () {
          const folder = Path.join(hlsDir, session)
          const playlist = yield* Effect.promise(() =>
            Fs.promises.readFile(Path.join(folder, "index.m3u8"), "utf8").catch(() => "")
          )
          const segment = newestSegment(playlist)
          return segment === undefined ? undefined : yield* frameOf(Path.join(folder, segment))
        })
      )
      yield* Deferred.succeed(jpeg, made)
      // Nothing to show is not kept: the next request looks again.
      if (made === undefined) this.kept.delete(session)
      return made
    })
  }
}
