/**
 * HLS playback through OnAir, at the livestream's `playback_url` (`/hls/<livestream id>/index.m3u8`):
 *
 * - `index.m3u8` is a master playlist naming one variant under a new viewer's path
 *   (`v/<viewer>/index.m3u8`), so every later request of that player carries its viewer id;
 * - `v/<viewer>/index.m3u8` is the current session's live playlist as nginx writes it;
 * - `v/<viewer>/<n>.ts` is a segment, counted to the viewer's seconds;
 * - `thumbnail.jpg` is the session's newest keyframe (`Thumbnails`), for previews;
 * - with an adaptive ladder running (its renditions in the health), the master playlist names each
 *   rendition instead, `v/<viewer>/r/<rendition>/index.m3u8` with its segments beside it;
 * - a session this node packages for low-latency HLS (`latency_mode` `low` or `realtime`) is served from its
 *   packager instead (`LowLatencyPlayback`): the same playlist path with blocking reload, its map, parts and
 *   segments beside it; with a ladder, its rungs at `v/<viewer>/r/<rendition>/index.m3u8`, numbered as the
 *   source is.
 *
 * Only the livestream's current broadcast is served (its session names the folder), so a new session never
 * serves an old session's playlist, and nothing is served while the livestream is idle. A broadcast held
 * by another media node is redirected (302) to that node's playback address, so a load balancer or CDN in
 * front of every node (or the API's own `/hls`) can be the one public playback base. Every answer allows
 * any origin, for browser players.
 */
import type { IngestHealth, LivestreamId, Rendition, SessionId } from "@onair/core"
import { Clock, Effect, Layer } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { randomBytes } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type { PlaybackSession } from "../protocol/MediaControl.ts"
import * as LowLatencyPlayback from "./LowLatencyPlayback.ts"
import * as PlaybackLocation from "./PlaybackLocation.ts"
import { CORS, PLAYBACK_PATH } from "./PlaybackLocation.ts"
import type { LowLatencyStream } from "./LowLatencyStream.ts"
import type { Thumbnails } from "./Thumbnails.ts"
import type { ViewerSeconds } from "./ViewerSeconds.ts"

export { PLAYBACK_PATH }
const PLAYLIST = "application/vnd.apple.mpegurl"

const notFound = (why: string) => HttpServerResponse.text(`${why}\n`, { status: 404, headers: CORS })

const VIEWER = /^[0-9a-f]{16,64}$/
const RENDITION = /^[A-Za-z0-9_-]{1,64}$/
const SEGMENT = /^(\d{1,12})\.ts$/

/** Segment durations of a live playlist, by sequence number (`#EXTINF` before `<n>.ts`). */
export const segmentDurations = (playlist: string): Map<number, number> => {
  const durations = new Map<number, number>()
  let duration: number | null = null
  for (const line of playlist.split("\n")) {
    const text = line.trim()
    if (text.startsWith("#EXTINF:")) duration = Number.parseFloat(text.slice(8))
    else if (duration !== null && SEGMENT.test(text)) {
      const sequence = Number(SEGMENT.exec(text)?.[1])
      if (Number.isFinite(duration) && duration > 0) durations.set(sequence, duration)
      duration = null
    }
  }
  return durations
}

const readFile = (path: string) =>
  Effect.tryPromise(() => Fs.promises.readFile(path)).pipe(Effect.orElseSucceed(() => null))

const unavailable = HttpServerResponse.text("playback is unavailable for a moment\n", {
  status: 503,
  headers: { ...CORS, "retry-after": "2" }
})

/**
 * The HLS routes; `fragmentSeconds` counts a segment whose duration is no longer in the playlist.
 * `local` is the node whose folder is served here (null: every broadcast is redirected to its node).
 */
export const layer = (options: {
  readonly lookup: PlaybackLocation.PlaybackLookup
  readonly local: PlaybackLocation.LocalNode | null
  readonly viewers: ViewerSeconds
  /** The sessions this node packages for low-latency HLS. */
  readonly packagers: {
    readonly streamOf: (sessionId: SessionId, rendition?: string) => LowLatencyStream | undefined
    readonly endedOf: (livestreamId: LivestreamId, rendition?: string) => LowLatencyStream | undefined
    /** A packaged session's ladder's variants now (empty without one). */
    readonly renditionsOf: (sessionId: SessionId, health: IngestHealth) => ReadonlyArray<Rendition>
  }
  readonly thumbnails: Thumbnails
  readonly fragmentSeconds: number
}) =>
  Layer.unwrap(
    Effect.sync(() => {
      const { local, viewers, fragmentSeconds, packagers } = options
      const lowLatency = LowLatencyPlayback.make({ cors: CORS, viewers })
      /** Segment durations by playlist: the session's, or `<session>/<rendition>`. */
      const durations = new Map<string, Map<number, number>>()

      const locate = PlaybackLocation.locator(options.lookup, local, 302)

      const sessionFile = (hlsDir: string, session: SessionId, name: string) => Path.join(hlsDir, session, name)

      const remember = (session: string, playlist: string) => {
        const known = durations.get(session) ?? new Map<number, number>()
        for (const [sequence, seconds] of segmentDurations(playlist)) known.set(sequence, seconds)
        // Keep the latest few hundred; older ones are out of every playlist already.
        for (const sequence of known.keys()) {
          if (known.size <= 256) break
          known.delete(sequence)
        }
        durations.set(session, known)
      }

      const master = Effect.gen(function* () {
        const { livestream_id } = yield* HttpRouter.params
        // Only the master playlist names the stream's bandwidth and codecs: playlists and segments skip it.
        const found = yield* locate(livestream_id, true)
        if (found._tag === "Elsewhere") return found.answer
        if (found._tag === "Unavailable") return unavailable
        if (found._tag === "NotLive") return notFound("this livestream is not live")
        // A packaged session is served from its packager only, once it has something to play.
        const packaged = packagers.streamOf(found.session.sessionId)
        if (
          packaged === undefined
            ? !Fs.existsSync(sessionFile(found.hlsDir, found.session.sessionId, "index.m3u8"))
            : !packaged.started
        ) {
          return notFound("this livestream is not live")
        }
        const health = found.session.health
        // The stream's measured bitrate, or a typical one until nginx has measured it.
        const bandwidth = Math.round((health?.videoBitrate ?? 0) + (health?.audioBitrate ?? 0))
        const attributes = [`BANDWIDTH=${bandwidth > 0 ? bandwidth : 2_000_000}`]
        if (health !== null && health.width > 0) {
          attributes.push(`RESOLUTION=${health.width}x${health.height}`)
          const codecs = [health.videoCodecId, health.audioCodecId].filter((codec) => codec !== "")
          if (codecs.length > 0) attributes.push(`CODECS="${codecs.join(",")}"`)
        }
        const viewer = randomBytes(12).toString("hex")
        // A packaged ladder's variants are the packager's own, as they start; nginx's ladder's from its health.
        const packagedLadder =
          packaged !== undefined && health !== null ? packagers.renditionsOf(found.session.sessionId, health) : []
        const renditions = packaged !== undefined ? packagedLadder : (health?.renditions ?? [])
        const ladder =
          renditions.length > 0 &&
          (packaged !== undefined || Fs.existsSync(Path.join(found.abrDir, found.session.sessionId, "master.m3u8")))
        // The packaged source is the stream's own playlist; every other variant is a rendition's.
        const uriOf = (name: string) =>
          packaged !== undefined && name === "source" ? `v/${viewer}/index.m3u8` : `v/${viewer}/r/${name}/index.m3u8`
        const variants = ladder
          ? renditions
              .map((rendition) => {
                const codecs = [rendition.videoCodecId, rendition.audioCodecId].filter((codec) => codec !== "")
                return (
                  `#EXT-X-STREAM-INF:BANDWIDTH=${Math.max(1, Math.round(rendition.bandwidth))},` +
                  `RESOLUTION=${rendition.width}x${rendition.height}${codecs.length > 0 ? `,CODECS="${codecs.join(",")}"` : ""}\n` +
                  `${uriOf(rendition.name)}\n`
                )
              })
              .join("")
          : `#EXT-X-STREAM-INF:${attributes.join(",")}\nv/${viewer}/index.m3u8\n`
        return HttpServerResponse.text(
          `#EXTM3U\n#EXT-X-VERSION:${ladder ? "6\n#EXT-X-INDEPENDENT-SEGMENTS" : packaged !== undefined ? "6" : "3"}\n${variants}`,
          { contentType: PLAYLIST, headers: { ...CORS, "cache-control": "no-cache" } }
        )
      })

      /**
       * Where a playlist and its segments are: the session's folder of nginx's HLS, or its rendition's folder
       * of the ladder (`rendition` given), and the key its segment durations are kept under.
       */
      const folderOf = (
        found: { readonly hlsDir: string; readonly abrDir: string },
        session: SessionId,
        rendition: string | undefined
      ) =>
        rendition === undefined
          ? { dir: Path.join(found.hlsDir, session), key: session as string }
          : { dir: Path.join(found.abrDir, session, rendition), key: `${session}/${rendition}` }

      /**
       * The low-latency HLS that answers here: the broadcast's while this node packages it, or, just after
       * its end, the ended one (players read its `EXT-X-ENDLIST`). A rendition's request never is.
       */
      const packagedStream = (
        found: { readonly _tag: "Here"; readonly session: PlaybackSession } | { readonly _tag: "NotLive" },
        livestreamId: string | undefined,
        rendition: string | undefined
      ): LowLatencyStream | undefined => {
        if (livestreamId === undefined || (rendition !== undefined && !RENDITION.test(rendition))) return undefined
        return found._tag === "Here"
          ? packagers.streamOf(found.session.sessionId, rendition)
          : packagers.endedOf(livestreamId as LivestreamId, rendition)
      }

      const media = Effect.gen(function* () {
        const { livestream_id, viewer, rendition } = yield* HttpRouter.params
        const found = yield* locate(livestream_id)
        if (found._tag === "Elsewhere") return found.answer
        if (found._tag === "Unavailable") return unavailable
        const stream = packagedStream(found, livestream_id, rendition)
        if (stream !== undefined && viewer !== undefined && VIEWER.test(viewer)) {
          const request = yield* HttpServerRequest.HttpServerRequest
          return yield* lowLatency.playlist(stream, new URL(request.url, "http://playback").searchParams)
        }
        if (
          found._tag === "NotLive" ||
          viewer === undefined ||
          !VIEWER.test(viewer) ||
          (rendition !== undefined && !RENDITION.test(rendition))
        ) {
          return notFound("this livestream is not live")
        }
        const folder = folderOf(found, found.session.sessionId, rendition)
        const playlist = yield* readFile(Path.join(folder.dir, "index.m3u8"))
        if (playlist === null) return notFound("this livestream is not live")
        const text = playlist.toString("utf8")
        remember(folder.key, text)
        return HttpServerResponse.text(text, {
          contentType: PLAYLIST,
          headers: { ...CORS, "cache-control": "no-cache" }
        })
      })

      const segment = Effect.gen(function* () {
        const { livestream_id, viewer, rendition, segment } = yield* HttpRouter.params
        const found = yield* locate(livestream_id)
        if (found._tag === "Elsewhere") return found.answer
        if (found._tag === "Unavailable") return unavailable
        const stream = packagedStream(found, livestream_id, rendition)
        if (stream !== undefined && viewer !== undefined && VIEWER.test(viewer)) {
          return yield* lowLatency.file(stream, viewer, segment ?? "")
        }
        const sequence = SEGMENT.exec(segment ?? "")?.[1]
        if (
          found._tag === "NotLive" ||
          viewer === undefined ||
          !VIEWER.test(viewer) ||
          sequence === undefined ||
          (rendition !== undefined && !RENDITION.test(rendition))
        ) {
          return notFound("no such segment")
        }
        const session = found.session.sessionId
        const folder = folderOf(found, session, rendition)
        const bytes = yield* readFile(Path.join(folder.dir, `${sequence}.ts`))
        if (bytes === null) return notFound("no such segment")
        viewers.sent(bytes.length)
        const seconds = durations.get(folder.key)?.get(Number(sequence)) ?? fragmentSeconds
        // A viewer's seconds count once per sequence number, whichever rendition served it.
        viewers.served(session, viewer, Number(sequence), seconds, yield* Clock.currentTimeMillis)
        return HttpServerResponse.uint8Array(bytes, {
          contentType: "video/mp2t",
          headers: { ...CORS, "cache-control": "max-age=60" }
        })
      })

      const thumbnail = Effect.gen(function* () {
        const { livestream_id } = yield* HttpRouter.params
        const found = yield* locate(livestream_id)
        if (found._tag === "Elsewhere") return found.answer
        if (found._tag === "Unavailable") return unavailable
        if (found._tag === "NotLive") return notFound("this livestream is not live")
        const jpeg = yield* options.thumbnails.of(found.hlsDir, found.session.sessionId)
        if (jpeg === undefined) return notFound("no frame yet")
        return HttpServerResponse.uint8Array(jpeg, {
          contentType: "image/jpeg",
          headers: { ...CORS, "cache-control": "max-age=5" }
        })
      })

      const preflight = HttpServerResponse.empty({ status: 204, headers: CORS })

      return Layer.mergeAll(
        HttpRouter.add("GET", `${PLAYBACK_PATH}/:livestream_id/index.m3u8`, master),
        HttpRouter.add("GET", `${PLAYBACK_PATH}/:livestream_id/thumbnail.jpg`, thumbnail),
        HttpRouter.add("GET", `${PLAYBACK_PATH}/:livestream_id/v/:viewer/index.m3u8`, media),
        HttpRouter.add("GET", `${PLAYBACK_PATH}/:livestream_id/v/:viewer/:segment`, segment),
        HttpRouter.add("GET", `${PLAYBACK_PATH}/:livestream_id/v/:viewer/r/:rendition/index.m3u8`, media),
        HttpRouter.add("GET", `${PLAYBACK_PATH}/:livestream_id/v/:viewer/r/:rendition/:segment`, segment),
        HttpRouter.add("OPTIONS", `${PLAYBACK_PATH}/*`, preflight)
      )
    })
  )
