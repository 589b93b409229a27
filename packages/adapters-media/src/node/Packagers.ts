/**
 * The node's low-latency packagers: for every connection whose livestream's `latency_mode` is `low` or
 * `realtime`, one supervised ffmpeg reads the session from nginx's loopback `hls` application (as the ladder
 * workers do) and remuxes it, video and audio copied, to fragmented MP4 on its standard output, cut every
 * `fragmentSeconds` and at every keyframe. OnAir reads the boxes (`Fmp4Boxes`) and keeps the session's
 * low-latency HLS in memory (`LowLatencyStream`), which `Playback` serves.
 *
 * A run that exits while its connection lives starts again after a back-off (2 s, doubling to 30 s), as a
 * new run of the same stream (a discontinuity, the media sequence going on). So does a reconnect inside the
 * window. A session without a connection for 30 s is asked about; once the control plane holds it closed,
 * its playlist ends (`EXT-X-ENDLIST`) and the stream is let go 30 s later. Each round runs every second.
 */
import type { SessionId } from "@onair/core"
import { Clock, Effect } from "effect"
import { MediaControl } from "../protocol/MediaControl.ts"
import type { Connection } from "./Connections.ts"
import { FfmpegRun } from "./FfmpegRun.ts"
import { type Box, BoxSplitter, readFragment, readTracks, type Track } from "./Fmp4Boxes.ts"
import { LowLatencyStream } from "./LowLatencyStream.ts"
import { RunningNginx } from "./RunningNginx.ts"

const MAX_BACKOFF_MILLIS = 30_000
const GOOD_RUN_MILLIS = 60_000
/** How long a session goes without a connection before the control plane is asked whether it is over. */
const IDLE_MILLIS = 30_000
/** How long an ended stream stays, so players read its end. */
const ENDED_GRACE_MILLIS = 30_000

export interface PackagerSettings {
  /** Where ffmpeg cuts parts (`-frag_duration`), in seconds. */
  readonly partSeconds: number
  /** A keyframe starts a new segment once the current one lasts this long. */
  readonly minSegmentSeconds: number
  /** How much of the session the playlist keeps, in seconds. */
  readonly windowSeconds: number
}

interface Packaging {
  readonly stream: LowLatencyStream
  /** The connection packaged now (nginx's client id), or null between connections. */
  clientId: string | null
  run: FfmpegRun | null
  backoff: number
  /** Since when it has had no connection (epoch ms). */
  idleSince: number | null
  /** When its playlist ended (epoch ms). */
  endedAt: number | null
  /** Why the last run was stopped, when OnAir stopped it for what it wrote. */
  malformed: string | null
}

/** ffmpeg's arguments: the relay in, fragmented MP4 out on its standard output, flushed per fragment. */
export const ffmpegArgs = (input: string, partSeconds: number): ReadonlyArray<string> => [
  "-nostdin",
  "-hide_banner",
  "-loglevel",
  "error",
  "-rw_timeout",
  "10000000",
  "-i",
  input,
  "-map",
  "0:v?",
  "-map",
  "0:a?",
  "-c",
  "copy",
  "-f",
  "mp4",
  "-movflags",
  "frag_keyframe+empty_moov+default_base_moof",
  "-frag_duration",
  String(Math.round(partSeconds * 1_000_000)),
  "-flush_packets",
  "1",
  "pipe:1"
]

/**
 * Feeds what one run of ffmpeg writes into `stream`: its `ftyp` and `moov` start the run, each `moof` and
 * the `mdat` after it are a part, timed by the video track (the first track without video).
 */
export const fragmentReader = (stream: LowLatencyStream, now: () => number) => {
  const splitter = new BoxSplitter()
  let ftyp: Uint8Array | null = null
  let tracks: ReadonlyArray<Track> = []
  let clock: Track | undefined
  let moof: Box | null = null
  return (chunk: Uint8Array): void => {
    for (const box of splitter.push(chunk)) {
      if (box.type === "ftyp") ftyp = box.bytes
      else if (box.type === "moov") {
        tracks = readTracks(box)
        clock = tracks.find((track) => track.kind === "vide") ?? tracks[0]
        stream.startRun(Buffer.concat([ftyp ?? new Uint8Array(), box.bytes]))
      } else if (box.type === "moof") moof = box
      else if (box.type === "mdat" && moof !== null && clock !== undefined) {
        const runs = readFragment(moof, tracks)
        const timed = runs.find((run) => run.trackId === clock!.id)
        const track = timed === undefined ? tracks.find((candidate) => candidate.id === runs[0]?.trackId) : clock
        const run = timed ?? runs[0]
        if (run !== undefined && track !== undefined && track.timescale > 0) {
          stream.addPart(
            {
              bytes: Buffer.concat([moof.bytes, box.bytes]),
              duration: run.duration / track.timescale,
              independent: clock.kind !== "vide" || (timed?.startsWithSync ?? false)
            },
            run.start / track.timescale,
            run.samples > 0 ? run.duration / run.samples / track.timescale : 0,
            now()
          )
        }
        moof = null
      }
    }
  }
}

export const make = (settings: PackagerSettings) => {
  const packaging = new Map<SessionId, Packaging>()

  const spawnFor = (entry: Packaging, connection: Connection, relayUrl: string) => {
    entry.clientId = connection.clientId
    entry.idleSince = null
    const read = fragmentReader(entry.stream, Date.now)
    const run: FfmpegRun = new FfmpegRun(ffmpegArgs(`${relayUrl}/${connection.sessionId}`, settings.partSeconds), {
      onBytes: (chunk) => {
        try {
          read(chunk)
        } catch (error) {
          // Not fragmented MP4 as expected: this run stops, and the round starts another after its back-off.
          entry.malformed = error instanceof Error ? error.message : String(error)
          run.stop()
        }
      },
      onExit: () => entry.run === run && entry.stream.endRun()
    })
    entry.run = run
  }

  const stopRun = (entry: Packaging, now: number) => {
    entry.run?.stop()
    if (entry.run !== null) entry.stream.endRun()
    entry.run = null
    entry.clientId = null
    entry.idleSince = now
  }

  const round = Effect.gen(function* () {
    const nginx = yield* RunningNginx
    const instance = nginx.instance()
    const now = yield* Clock.currentTimeMillis
    const packaged = new Map<SessionId, Connection>()
    for (const connection of nginx.connections.all()) {
      if (connection.latencyMode !== "standard") packaged.set(connection.sessionId, connection)
    }
    for (const [sessionId, entry] of packaging) {
      const connection = packaged.get(sessionId)
      if (entry.clientId !== null && (instance === null || connection?.clientId !== entry.clientId)) {
        stopRun(entry, now)
      }
    }
    if (instance === null) return
    for (const connection of packaged.values()) {
      let entry = packaging.get(connection.sessionId)
      if (entry === undefined) {
        entry = {
          stream: new LowLatencyStream({
            fragmentSeconds: settings.partSeconds,
            minSegmentSeconds: settings.minSegmentSeconds,
            windowSeconds: settings.windowSeconds
          }),
          clientId: null,
          run: null,
          backoff: 2_000,
          idleSince: null,
          endedAt: null,
          malformed: null
        }
        packaging.set(connection.sessionId, entry)
      }
      if (entry.endedAt !== null) continue
      if (entry.clientId !== connection.clientId) {
        spawnFor(entry, connection, instance.relayUrl)
        continue
      }
      const run = entry.run
      if (run !== null && run.exitedAt !== null && now - run.exitedAt >= entry.backoff) {
        yield* Effect.logWarning(
          `media: packager of ${connection.sessionId} stopped (${entry.malformed ?? run.messages.slice(-300)}); starting again`
        )
        entry.malformed = null
        // A run that went a good while starts its back-off again.
        entry.backoff =
          run.exitedAt - run.startedAt > GOOD_RUN_MILLIS ? 2_000 : Math.min(entry.backoff * 2, MAX_BACKOFF_MILLIS)
        spawnFor(entry, connection, instance.relayUrl)
      }
    }
  })

  /** Ends the playlists of sessions the control plane holds closed, and lets go of those ended a while. */
  const sweep = Effect.gen(function* () {
    const control = yield* MediaControl
    const now = yield* Clock.currentTimeMillis
    const idle: Array<SessionId> = []
    for (const [sessionId, entry] of packaging) {
      if (entry.endedAt !== null && now - entry.endedAt >= ENDED_GRACE_MILLIS) packaging.delete(sessionId)
      else if (entry.endedAt === null && entry.idleSince !== null && now - entry.idleSince >= IDLE_MILLIS) {
        idle.push(sessionId)
      }
    }
    if (idle.length === 0) return
    const open = new Set(yield* control.openSessions(idle))
    for (const sessionId of idle) {
      const entry = packaging.get(sessionId)
      if (entry === undefined || open.has(sessionId) || entry.clientId !== null) continue
      entry.stream.end()
      entry.endedAt = now
    }
  }).pipe(Effect.catch((error) => Effect.logWarning(`media: packagers' sweep: ${error.message}`)))

  /** The session's low-latency HLS, while this node packages it. */
  const streamOf = (sessionId: SessionId): LowLatencyStream | undefined => {
    const stream = packaging.get(sessionId)?.stream
    return stream?.started === true ? stream : undefined
  }

  const stopAll = Effect.sync(() => {
    for (const entry of packaging.values()) {
      entry.run?.stop()
      entry.stream.end()
    }
    packaging.clear()
  })

  return { round, sweep, streamOf, stopAll }
}

export type Packagers = ReturnType<typeof make>
