/**
 * The node's low-latency packagers: for every connection whose livestream's `latency_mode` is `low` or
 * `realtime`, or that keeps a DVR window (`dvr_window_seconds`), one supervised ffmpeg at a time
 * (`PackagerRuns`, `PackagerArgs`) reads the session from nginx's loopback `hls` application (as the ladder
 * workers do) and remuxes it, video and audio copied, to fragmented MP4 on its standard output; with a
 * ladder it encodes every rung too (`PackagedLadder`), and for a `realtime` broadcast it writes RTP for its
 * WebRTC viewers (`WhepFanOut`). OnAir reads what it writes (`FragmentReader`) into the session's
 * low-latency HLS, kept in memory (`LowLatencyStream`), which `Playback` serves.
 *
 * A run that exits while its connection lives starts again after a back-off (2 s, doubling to 30 s), as a
 * new run of the same stream (a discontinuity, the media sequence going on). When the encoder goes away,
 * a slate run stands in for it (its app's slate image when it has one and it could be fetched, else
 * OnAir's own, looped, at the source's size and rate, with silence), so players keep playing through the
 * reconnect window; the encoder's return stops the slate and the live run takes over at its first
 * keyframe. A session without a connection is asked about every few seconds; once the control plane holds
 * it closed, the slate stops, the playlist ends (`EXT-X-ENDLIST`), its WebRTC viewers are ended, its
 * ladder's cores are given back, and the stream is let go 30 s later.
 */
import type { IngestHealth, LivestreamId, Rendition, SessionId } from "@onair/core"
import { Clock, Effect } from "effect"
import * as Path from "node:path"
import { MediaControl } from "../protocol/MediaControl.ts"
import type { Connection } from "./Connections.ts"
import type { FfmpegRun } from "./FfmpegRun.ts"
import type { LadderBudget } from "./LadderBudget.ts"
import { takeBudget } from "./LadderWorkers.ts"
import { LowLatencyStream } from "./LowLatencyStream.ts"
import { PackagedLadder } from "./PackagedLadder.ts"
import * as RenditionLadders from "./RenditionLadders.ts"
import * as PackagerRuns from "./PackagerRuns.ts"
import type { Packaging } from "./PackagerRuns.ts"
import { nextPause, WORKER_RESTARTS } from "./RestartLoop.ts"
import type { SlateImages } from "./SlateImages.ts"
import { RunningNginx } from "./RunningNginx.ts"
import { WhepFanOut } from "./WhepFanOut.ts"

/** How long an ended stream stays, so players read its end. */
const ENDED_GRACE_MILLIS = 30_000
/** The longest reconnect window: a slate never runs longer than this. */
const MAX_SLATE_MILLIS = 1_800_000

export interface PackagerSettings {
  /** Where ffmpeg cuts parts (`-frag_duration`), in seconds. */
  readonly partSeconds: number
  /** A keyframe starts a new segment once the current one lasts this long. */
  readonly minSegmentSeconds: number
  /** How much of the session the playlist keeps, in seconds. */
  readonly windowSeconds: number
  /** Where DVR windows keep the segments that left memory: `<dir>/<session id>/`. */
  readonly dvrDir: string
  /** OnAir's own slate image (a PNG or JPEG file); null: no slate, the playlist waits. */
  readonly slateImage: string | null
  /** Apps' own slate images, fetched for the broadcasts that name one. */
  readonly slateImages: SlateImages
  /** The cores adaptive ladders may take, shared with standard HLS's ladders. */
  readonly budget: LadderBudget
}

export const make = (settings: PackagerSettings) => {
  const packaging = new Map<SessionId, Packaging>()

  const { stop, goLive, startSlate } = PackagerRuns.make(settings)

  /** A broadcast's ladder, when it asks for one that transcodes something and the budget has room for it. */
  const ladderFor = (connection: Connection) =>
    Effect.gen(function* () {
      if (connection.renditions.length === 0 || connection.source === null || connection.renditionsRefused) return null
      const plan = RenditionLadders.plan(connection.renditions, connection.source)
      if (plan === null) return null
      const control = yield* MediaControl
      return (yield* takeBudget(settings.budget, connection, plan, control)) ? plan : null
    })

  /**
   * A realtime broadcast's WebRTC source, bound before its first run; null for the other modes, or when no
   * loopback socket could be bound (its low-latency HLS goes on, and WHEP offers are answered 503).
   */
  const whepFor = (connection: Connection) =>
    connection.latencyMode !== "realtime"
      ? Effect.succeed(null)
      : Effect.tryPromise(() => WhepFanOut.open()).pipe(
          Effect.catch((error) =>
            Effect.as(Effect.logWarning(`media: no WebRTC source for ${connection.sessionId}: ${error.message}`), null)
          )
        )

  /** Whether a run that exited on its own is due to start again (a good long run resets the back-off). */
  const dueAgain = (entry: Packaging, run: FfmpegRun | null, now: number, what: string) =>
    Effect.gen(function* () {
      if (run === null || run.exitedAt === null || now - run.exitedAt < entry.backoff) return false
      yield* Effect.logWarning(
        `media: ${what} stopped (${entry.malformed ?? run.messages.slice(-300)}); starting again`
      )
      entry.malformed = null
      entry.backoff = nextPause(WORKER_RESTARTS, entry.backoff, run.exitedAt - run.startedAt)
      return true
    })

  const round = Effect.gen(function* () {
    const nginx = yield* RunningNginx
    const instance = nginx.instance()
    const now = yield* Clock.currentTimeMillis
    const packaged = new Map<SessionId, Connection>()
    for (const connection of nginx.connections.all()) {
      if (connection.latencyMode !== "standard" || connection.dvrWindowSeconds > 0) {
        packaged.set(connection.sessionId, connection)
      }
    }
    // Encoders gone (or nginx): their sessions wait, on the slate, for the control plane's word.
    for (const entry of packaging.values()) {
      const connection = entry.clientId === null ? undefined : packaged.get(entry.stream.sessionId)
      if (entry.clientId === null || (instance !== null && connection?.clientId === entry.clientId)) continue
      stop(entry, entry.live)
      entry.clientId = null
      entry.idleSince = now
      if (instance !== null && entry.endedAt === null && entry.stream.started && entry.slate === null) {
        startSlate(entry)
      }
    }
    if (instance === null) return
    for (const connection of packaged.values()) {
      // A realtime run needs to know whether the source has audio (its Opus output), and a ladder the
      // source's size: from the first health.
      const waitsForSource = connection.latencyMode === "realtime" || connection.renditions.length > 0
      if (waitsForSource && connection.source === null && now < connection.firstHealthUntil) continue
      let entry = packaging.get(connection.sessionId)
      if (entry === undefined) {
        const whep = yield* whepFor(connection)
        const streamIn = (dir: string) =>
          new LowLatencyStream(connection.sessionId, {
            fragmentSeconds: settings.partSeconds,
            minSegmentSeconds: settings.minSegmentSeconds,
            windowSeconds: settings.windowSeconds,
            dvr: connection.dvrWindowSeconds > 0 ? { dir, seconds: connection.dvrWindowSeconds } : null
          })
        const dvrDir = Path.join(settings.dvrDir, connection.sessionId)
        const plan = yield* ladderFor(connection)
        entry = {
          livestreamId: connection.livestreamId,
          stream: streamIn(dvrDir),
          clientId: null,
          live: null,
          slate: null,
          current: null,
          backoff: 2_000,
          idleSince: null,
          endedAt: null,
          malformed: null,
          shape: null,
          slateImageUrl: null,
          whep,
          ladder: plan === null ? null : new PackagedLadder(plan, (rung) => streamIn(Path.join(dvrDir, "r", rung.name)))
        }
        packaging.set(connection.sessionId, entry)
      }
      if (entry.endedAt !== null) continue
      if (connection.source !== null) entry.shape = connection.source
      entry.slateImageUrl = connection.slateImageUrl
      // Fetched while the encoder is here, so it is in place before the slate needs it.
      if (connection.slateImageUrl !== null) settings.slateImages.want(connection.slateImageUrl, now)
      if (
        entry.clientId !== connection.clientId ||
        (yield* dueAgain(entry, entry.live, now, `packager of ${connection.sessionId}`))
      ) {
        goLive(entry, connection, instance.relayUrl)
      }
    }
    for (const entry of packaging.values()) {
      if (entry.slate === null || entry.endedAt !== null) continue
      if (entry.idleSince !== null && now - entry.idleSince > MAX_SLATE_MILLIS) stop(entry, entry.slate)
      else if (yield* dueAgain(entry, entry.slate, now, `slate of ${entry.stream.sessionId}`)) {
        stop(entry, entry.slate)
        startSlate(entry)
      }
    }
  })

  /** Ends the playlists of sessions the control plane holds closed, and lets go of those ended a while. */
  const sweep = Effect.gen(function* () {
    const control = yield* MediaControl
    const now = yield* Clock.currentTimeMillis
    const idle: Array<SessionId> = []
    for (const [sessionId, entry] of packaging) {
      if (entry.endedAt !== null && now - entry.endedAt >= ENDED_GRACE_MILLIS) {
        packaging.delete(sessionId)
        entry.stream.release()
        entry.ladder?.release()
      } else if (entry.endedAt === null && entry.clientId === null) idle.push(sessionId)
    }
    if (idle.length === 0) return
    const open = new Set(yield* control.openSessions(idle))
    for (const sessionId of idle) {
      const entry = packaging.get(sessionId)
      if (entry === undefined || open.has(sessionId) || entry.clientId !== null) continue
      stop(entry, entry.slate)
      stop(entry, entry.live)
      entry.stream.end()
      entry.ladder?.end()
      settings.budget.give(sessionId)
      entry.whep?.close("the broadcast ended")
      entry.endedAt = now
    }
  }).pipe(Effect.catch((error) => Effect.logWarning(`media: packagers' sweep: ${error.message}`)))

  /** An entry's stream: the source's, or (`rendition` given) its ladder's rung of that name. */
  const variant = (entry: Packaging, rendition: string | undefined): LowLatencyStream | undefined =>
    rendition === undefined ? entry.stream : entry.ladder?.stream(rendition)

  /**
   * The ended low-latency HLS of a livestream's last session (its source's, or a rung's), for the moments
   * after its end when players still ask (they read `EXT-X-ENDLIST` instead of a 404).
   */
  const endedOf = (livestreamId: LivestreamId, rendition?: string): LowLatencyStream | undefined => {
    for (const entry of packaging.values()) {
      if (entry.livestreamId === livestreamId && entry.endedAt !== null && entry.stream.started) {
        return variant(entry, rendition)
      }
    }
    return undefined
  }

  /**
   * The session's low-latency HLS while this node packages it, started or not (its source's, or a rung's):
   * a packaged session is never answered from nginx's own HLS, whose playlist would change under its
   * players when the packager starts.
   */
  const streamOf = (sessionId: SessionId, rendition?: string): LowLatencyStream | undefined => {
    const entry = packaging.get(sessionId)
    return entry === undefined ? undefined : variant(entry, rendition)
  }

  /** The variants of a packaged session's ladder players get now; empty without a ladder. */
  const renditionsOf = (sessionId: SessionId, health: IngestHealth): ReadonlyArray<Rendition> =>
    packaging.get(sessionId)?.ladder?.renditions(health) ?? []

  /**
   * How a session plays over WebRTC here: its source while this node packages it as `realtime` and it has not
   * ended, `null` while it is packaged in another mode, undefined when this node does not package it.
   */
  const whepOf = (sessionId: SessionId): WhepFanOut | null | undefined => {
    const entry = packaging.get(sessionId)
    if (entry === undefined) return undefined
    return entry.endedAt === null ? entry.whep : null
  }

  const stopAll = Effect.sync(() => {
    for (const entry of packaging.values()) {
      stop(entry, entry.slate)
      stop(entry, entry.live)
      entry.stream.end()
      entry.ladder?.end()
      settings.budget.give(entry.stream.sessionId)
      entry.whep?.close("the media node stops")
    }
    packaging.clear()
  })

  return { round, sweep, streamOf, endedOf, renditionsOf, whepOf, stopAll, budget: settings.budget }
}

export type Packagers = ReturnType<typeof make>
