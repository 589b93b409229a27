/**
 * What one run of a packager's ffmpeg writes, read into a session's `LowLatencyStream`: whole boxes off the
 * pipe (`Fmp4Boxes`); its `ftyp` and `moov` are the run's initialisation segment, each `moof` and the `mdat`
 * after it are a part, timed by the video track (the first track without video).
 *
 * The run starts in the stream at its first part that can be played alone: one that starts on a keyframe
 * and lasts no longer than `firstPartSeconds`. A relay joined mid-picture gives audio, and frames that need
 * an earlier keyframe, first; and nginx-rtmp gives a new player its last keyframe and then the live frames,
 * a gap inside the first part. Only then is the run told to take over (`takeOver`), so a run that replaces
 * another (the encoder back while the slate plays) takes over at its first keyframe, not before.
 */
import { type Box, BoxSplitter, readFragment, readTracks, type Track } from "./Fmp4Boxes.ts"
import type { LowLatencyStream } from "./LowLatencyStream.ts"

export interface ReaderOptions {
  readonly now: () => number
  /** A first part longer than this holds a gap: the run starts at the next keyframe instead. */
  readonly firstPartSeconds: number
  /** Called once, just before the run's first part goes into the stream. */
  readonly takeOver: () => void
}

/** Feeds what one run writes into `stream`, chunk by chunk as the pipe gives it. */
export const fragmentReader = (stream: LowLatencyStream, options: ReaderOptions) => {
  const splitter = new BoxSplitter()
  let ftyp: Uint8Array | null = null
  let init: Uint8Array | null = null
  let tracks: ReadonlyArray<Track> = []
  let clock: Track | undefined
  let moof: Box | null = null
  let started = false

  const part = (mdat: Box) => {
    if (moof === null || clock === undefined || init === null) return
    const runs = readFragment(moof, tracks)
    const timed = runs.find((run) => run.trackId === clock!.id)
    const track = timed === undefined ? tracks.find((candidate) => candidate.id === runs[0]?.trackId) : clock
    const run = timed ?? runs[0]
    if (run === undefined || track === undefined || track.timescale <= 0) return
    const duration = run.duration / track.timescale
    const independent = clock.kind !== "vide" || (timed?.startsWithSync ?? false)
    if (!started) {
      if (!independent || duration > options.firstPartSeconds) return
      options.takeOver()
      stream.startRun(init)
      started = true
    }
    stream.addPart(
      { bytes: Buffer.concat([moof.bytes, mdat.bytes]), duration, independent },
      run.start / track.timescale,
      run.samples > 0 ? duration / run.samples : 0,
      options.now()
    )
  }

  return (chunk: Uint8Array): void => {
    for (const box of splitter.push(chunk)) {
      if (box.type === "ftyp") ftyp = box.bytes
      else if (box.type === "moov") {
        tracks = readTracks(box)
        clock = tracks.find((track) => track.kind === "vide") ?? tracks[0]
        init = Buffer.concat([ftyp ?? new Uint8Array(), box.bytes])
      } else if (box.type === "moof") moof = box
      else if (box.type === "mdat") {
        part(box)
        moof = null
      }
    }
  }
}
