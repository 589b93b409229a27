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
 *
 * A ladder's rung follows its run's source instead (`follow`): its parts wait until the source has started
 * in its stream, and it starts at its own part that begins as far from the run's first frame as the
 * source's first part does. Rungs are keyed where the source is, so they start on the same keyframe, and
 * every variant's segments (cut by the same rule from the same frame times) keep the same numbers.
 */
import { type Box, BoxSplitter, readFragment, readTracks, type Track } from "./Fmp4Boxes.ts"
import type { LowLatencyStream } from "./LowLatencyStream.ts"

export interface ReaderOptions {
  readonly now: () => number
  /** A first part longer than this holds a gap: the run starts at the next keyframe instead. */
  readonly firstPartSeconds: number
  /** Called once, just before the run's first part goes into the stream. */
  readonly takeOver: () => void
  /** Told once, as the run starts in the stream, how far (seconds) its first part is from its first frame. */
  readonly started?: (offset: number) => void
  /** For a rung: where its run's source started (as `started` told it), or null until it has. */
  readonly follow?: () => number | null
}

/** The parts a rung keeps while it waits for its source to start: seconds of them. */
const MAX_WAITING_PARTS = 64

interface Read {
  readonly part: { readonly bytes: Uint8Array; readonly duration: number; readonly independent: boolean }
  readonly start: number
  readonly frameSeconds: number
  /** Seconds from the run's first video frame. */
  readonly offset: number
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
  let firstFrame: number | null = null
  const waiting: Array<Read> = []

  const add = (read: Read) => stream.addPart(read.part, read.start, read.frameSeconds, options.now())

  const begin = (offset: number) => {
    options.takeOver()
    stream.startRun(init!)
    started = true
    options.started?.(offset)
  }

  /** A rung's start: at its waiting part as far from the run's first frame as the source's first. */
  const followSource = (follow: () => number | null) => {
    const at = follow()
    if (at === null) return
    while (waiting.length > 0) {
      const first = waiting[0]!
      const tolerance = Math.max(first.frameSeconds / 2, 0.005)
      if (first.offset < at - tolerance || !first.part.independent) {
        waiting.shift()
        continue
      }
      begin(first.offset)
      for (const read of waiting.splice(0)) add(read)
      return
    }
  }

  const part = (mdat: Box) => {
    if (moof === null || clock === undefined || init === null) return
    const runs = readFragment(moof, tracks)
    const timed = runs.find((run) => run.trackId === clock!.id)
    const track = timed === undefined ? tracks.find((candidate) => candidate.id === runs[0]?.trackId) : clock
    const run = timed ?? runs[0]
    if (run === undefined || track === undefined || track.timescale <= 0) return
    const duration = run.duration / track.timescale
    const independent = clock.kind !== "vide" || (timed?.startsWithSync ?? false)
    const start = run.start / track.timescale
    // The run's first video frame: fragments of audio alone (a relay joined mid-picture) come before it.
    if (timed !== undefined || clock.kind !== "vide") firstFrame ??= start
    const read: Read = {
      part: { bytes: Buffer.concat([moof.bytes, mdat.bytes]), duration, independent },
      start,
      frameSeconds: run.samples > 0 ? duration / run.samples : 0,
      offset: firstFrame === null ? -1 : start - firstFrame
    }
    if (!started && options.follow !== undefined) {
      waiting.push(read)
      if (waiting.length > MAX_WAITING_PARTS) waiting.shift()
      return followSource(options.follow)
    }
    if (!started) {
      if (!independent || duration > options.firstPartSeconds) return
      begin(read.offset)
    }
    add(read)
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
