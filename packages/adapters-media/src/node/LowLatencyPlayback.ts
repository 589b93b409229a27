/**
 * Answers for a session packaged for low-latency HLS (`Packagers`), at the same paths `Playback` serves:
 *
 * - the media playlist (a delta update with `_HLS_skip=YES` when it is long: a DVR window's), with blocking
 *   reload (RFC 8216bis 6.2.5.2): `_HLS_msn=<M>` holds the request until
 *   segment M is complete, `&_HLS_part=<P>` until part P of it exists (or a later one), at most three target
 *   durations (then 503); a request too far ahead (past the last segment plus two, or the Advance Part Limit)
 *   is a 400 at once, and so is `_HLS_part` without `_HLS_msn`;
 * - `init-<run>.mp4`, `<msn>.m4s` (a whole segment) and `<msn>.<part>.m4s` (a part). A request for the part
 *   the preload hint names is held until it exists; a part that will never come (its segment ended sooner)
 *   is a 404, as RFC 8216bis 6.2.5.3 asks.
 *
 * Viewer seconds count per part, so a player that fetches parts and one that fetches whole segments count
 * the same seconds, each once.
 */
import { Clock, Duration, Effect } from "effect"
import { HttpServerResponse } from "effect/http"
import type { Availability, LowLatencyStream, Readiness } from "./LowLatencyStream.ts"
import type { ViewerSeconds } from "./ViewerSeconds.ts"

const PLAYLIST = "application/vnd.apple.mpegurl"

/** A low-latency file name: a run's map, a whole segment or a part. */
export const LOW_LATENCY_FILE = /^(?:init-(\d{1,9})\.mp4|(\d{1,12})\.m4s|(\d{1,12})\.(\d{1,4})\.m4s)$/

/** Part keys of a viewer's counted seconds: parts of a segment are far fewer than this. */
const PARTS_PER_KEY = 10_000

/** Waits (up to `within`) until `ready` says yes after a change of `stream`; answers whether it did. */
const until = (stream: LowLatencyStream, ready: () => boolean, within: Duration.Duration) =>
  ready()
    ? Effect.succeed(true)
    : Effect.callback<boolean>((resume) => {
        const stop = stream.onChange(() => {
          if (!ready()) return
          stop()
          resume(Effect.succeed(true))
        })
        return Effect.sync(stop)
      }).pipe(
        Effect.timeoutOption(within),
        Effect.map((answered) => answered._tag === "Some")
      )

const wholeNumber = (value: string | null): number | null | "bad" =>
  value === null ? null : /^\d{1,12}$/.test(value) ? Number(value) : "bad"

export const make = (options: { readonly cors: Record<string, string>; readonly viewers: ViewerSeconds }) => {
  const { cors, viewers } = options
  const refuse = (status: number, why: string) => HttpServerResponse.text(`${why}\n`, { status, headers: cors })
  const holdLimit = (stream: LowLatencyStream) => Duration.millis(stream.targetSeconds * 3 * 1000)

  const playlist = Effect.fn("LowLatencyPlayback.playlist")(function* (
    stream: LowLatencyStream,
    search: URLSearchParams
  ) {
    if (!stream.started) return refuse(404, "this livestream is not live yet")
    const msn = wholeNumber(search.get("_HLS_msn"))
    const part = wholeNumber(search.get("_HLS_part"))
    if (msn === "bad") return refuse(400, "_HLS_msn: a whole number")
    if (part === "bad") return refuse(400, "_HLS_part: a whole number")
    if (msn === null && part !== null) return refuse(400, "_HLS_part: only with _HLS_msn")
    const skip = search.get("_HLS_skip")
    if (skip !== null && skip !== "YES" && skip !== "v2") return refuse(400, "_HLS_skip: YES or v2")
    if (msn !== null) {
      const readiness = (): Readiness => stream.readiness(msn, part)
      if (readiness() === "too far") return refuse(400, `_HLS_msn=${msn}: too far ahead of the playlist`)
      const answered = yield* until(stream, () => readiness() !== "wait", holdLimit(stream))
      if (!answered || readiness() === "too far") {
        return HttpServerResponse.text("the playlist did not reach it in time\n", {
          status: 503,
          headers: { ...cors, "retry-after": "1" }
        })
      }
    }
    return HttpServerResponse.text(stream.playlist(skip !== null), {
      contentType: PLAYLIST,
      headers: { ...cors, "cache-control": msn === null ? "no-cache" : "max-age=6" }
    })
  })

  /** Waits for what the preload hint names (or the segment being cut), then answers it. */
  const settle = (stream: LowLatencyStream, find: () => Availability) =>
    Effect.gen(function* () {
      const now = find()
      if (now._tag !== "Later") return now
      yield* until(stream, () => find()._tag !== "Later", holdLimit(stream))
      return find()
    })

  const file = Effect.fn("LowLatencyPlayback.file")(function* (stream: LowLatencyStream, viewer: string, name: string) {
    const match = LOW_LATENCY_FILE.exec(name)
    if (match === null) return refuse(404, "no such segment")
    const [, run, segment, partOf, partIndex] = match
    if (run !== undefined) {
      const init = stream.init(Number(run))
      if (init === undefined) return refuse(404, "no such map")
      return HttpServerResponse.uint8Array(init, {
        contentType: "video/mp4",
        headers: { ...cors, "cache-control": "max-age=600" }
      })
    }
    const msn = Number(segment ?? partOf)
    const index = partIndex === undefined ? null : Number(partIndex)
    const found = yield* settle(stream, () => (index === null ? stream.segment(msn) : stream.part(msn, index)))
    if (found._tag !== "Here") return refuse(404, index === null ? "no such segment" : "no such part")
    viewers.sent(found.bytes.length)
    // Each part counts once for the viewer, whether it came alone or in its whole segment.
    const now = yield* Clock.currentTimeMillis
    stream.partDurations(msn).forEach((seconds, each) => {
      if (index === null || index === each) {
        viewers.served(stream.sessionId, viewer, msn * PARTS_PER_KEY + each, seconds, now)
      }
    })
    return HttpServerResponse.uint8Array(found.bytes, {
      contentType: "video/mp4",
      headers: { ...cors, "cache-control": "max-age=60" }
    })
  })

  return { playlist, file }
}
