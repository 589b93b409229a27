/**
 * A packaged session's runs of the packager's ffmpeg: the live run (the encoder's stream) and the slate's
 * (while the encoder is away). A run feeds the session's streams from its first part that plays alone,
 * taking over from the run that fed them until then; bytes of a run that was stopped are dropped, and a run
 * that stops completes the segment every variant was cutting. `Packagers` decides when each runs.
 */
import type { LivestreamId } from "@onair/core"
import type { Connection } from "./Connections.ts"
import { FfmpegRun } from "./FfmpegRun.ts"
import { fragmentReader } from "./FragmentReader.ts"
import type { LowLatencyStream } from "./LowLatencyStream.ts"
import type { PackagedLadder } from "./PackagedLadder.ts"
import { DEFAULT_SLATE_SHAPE, liveArgs, type RtpOutputs, type SlateShape, slateArgs } from "./PackagerArgs.ts"
import type { SlateImages } from "./SlateImages.ts"
import type { WhepFanOut } from "./WhepFanOut.ts"

export interface Packaging {
  readonly livestreamId: LivestreamId
  readonly stream: LowLatencyStream
  /** The connection packaged now (nginx's client id), or null between connections. */
  clientId: string | null
  /** The live run: while the slate plays, it takes over at its first keyframe. */
  live: FfmpegRun | null
  /** The slate's run, while the encoder is away. */
  slate: FfmpegRun | null
  /** The run that feeds the stream now: the live one, the slate's, or none. */
  current: FfmpegRun | null
  backoff: number
  /** Since when it has had no connection (epoch ms). */
  idleSince: number | null
  /** When its playlist ended (epoch ms). */
  endedAt: number | null
  /** Why the last run was stopped, when OnAir stopped it for what it wrote. */
  malformed: string | null
  /** The live source's size, rate and audio, which a slate matches. */
  shape: SlateShape | null
  /** Its app's slate image, when it has one. */
  slateImageUrl: string | null
  /** A `realtime` broadcast's WebRTC source (its runs write RTP there too); null for the others. */
  readonly whep: WhepFanOut | null
  /** Its adaptive ladder's streams, when it has one (its runs write every rung too). */
  readonly ladder: PackagedLadder | null
}

/** What the runs are made with. */
export interface RunSettings {
  /** Where ffmpeg cuts parts (`-frag_duration`), in seconds. */
  readonly partSeconds: number
  /** OnAir's own slate image (a PNG or JPEG file); null: no slate, the playlist waits. */
  readonly slateImage: string | null
  /** Apps' own slate images, fetched for the broadcasts that name one. */
  readonly slateImages: SlateImages
}

export const make = (settings: RunSettings) => {
  /**
   * Starts a run: it feeds the stream from its first part that plays alone, taking over from the run that
   * fed it until then (which stops, its segment complete). Bytes of a run that was stopped are dropped.
   */
  const start = (entry: Packaging, args: ReadonlyArray<string>): FfmpegRun => {
    let sourceStart: number | null = null
    const read = fragmentReader(entry.stream, {
      now: Date.now,
      firstPartSeconds: settings.partSeconds * 3,
      takeOver: () => {
        stop(entry, entry.current)
        entry.current = run
      },
      started: (offset) => (sourceStart = offset)
    })
    // A ladder's rungs start where the source did, once this run feeds the stream.
    const rungReads =
      entry.ladder?.readers({
        now: Date.now,
        firstPartSeconds: settings.partSeconds * 3,
        sourceStart: () => (entry.current === run ? sourceStart : null)
      }) ?? []
    const guarded = (reader: (chunk: Uint8Array) => void) => (chunk: Buffer) => {
      if (run !== entry.live && run !== entry.slate) return
      try {
        reader(chunk)
      } catch (error) {
        // Not fragmented MP4 as expected: this run stops, and the round starts another after its back-off.
        entry.malformed = error instanceof Error ? error.message : String(error)
        run.stop()
      }
    }
    const run: FfmpegRun = new FfmpegRun(args, {
      onBytes: guarded(read),
      onMoreBytes: rungReads.map(guarded),
      onExit: () => {
        if (entry.current !== run) return
        entry.current = null
        endRun(entry)
      }
    })
    return run
  }

  /** The run that fed the stream is over: every variant's segment it was cutting is complete. */
  const endRun = (entry: Packaging) => {
    entry.stream.endRun()
    entry.ladder?.endRun()
  }

  /** Stops `run` (the live or the slate's); when it fed the stream, the segment it was cutting is complete. */
  const stop = (entry: Packaging, run: FfmpegRun | null) => {
    if (run === null) return
    run.stop()
    if (entry.live === run) entry.live = null
    if (entry.slate === run) entry.slate = null
    if (entry.current === run) {
      entry.current = null
      endRun(entry)
    }
  }

  /** A realtime run's RTP outputs (its own SSRCs), or null. */
  const rtpOf = (entry: Packaging): RtpOutputs | null =>
    entry.whep === null ? null : { ...entry.whep.nextRun(), audio: entry.shape?.audio ?? true }

  const goLive = (entry: Packaging, connection: Connection, relayUrl: string) => {
    stop(entry, entry.live)
    entry.clientId = connection.clientId
    entry.idleSince = null
    entry.live = start(
      entry,
      liveArgs(`${relayUrl}/${connection.sessionId}`, settings.partSeconds, rtpOf(entry), entry.ladder?.plan ?? null)
    )
  }

  const startSlate = (entry: Packaging) => {
    const image = settings.slateImages.fileOf(entry.slateImageUrl) ?? settings.slateImage
    if (image === null) return
    entry.slate = start(
      entry,
      slateArgs(
        image,
        entry.shape ?? DEFAULT_SLATE_SHAPE,
        settings.partSeconds,
        rtpOf(entry),
        entry.ladder?.plan ?? null
      )
    )
  }

  return { stop, goLive, startSlate }
}
