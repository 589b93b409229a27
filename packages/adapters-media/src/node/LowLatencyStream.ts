/**
 * One session's low-latency HLS (RFC 8216bis) as the packager builds it, in memory and bounded by its
 * window: the initialisation segment of each run of the packager, CMAF parts (one `moof`+`mdat` fragment
 * each, cut by ffmpeg every `-frag_duration`) grouped into segments that start on a keyframe once the one
 * before lasts `minSegmentSeconds`, what blocking reload and preload hints may answer, and the media
 * playlist written from them (`LowLatencyPlaylist`). With a DVR window, segments that leave memory go to
 * files (`DvrFiles`) until they leave the window.
 *
 * A new run (the encoder came back inside its reconnect window) adds a new map and a discontinuity, and the
 * media sequence goes on, so players keep their place. The stream tells its listeners of every change, so a
 * blocked playlist request or a preload hint's request answers as soon as what it waits for exists.
 */
import type { SessionId } from "@onair/core"
import { forget, forgetAll, keep, readKept } from "./DvrFiles.ts"
import { type PlaylistView, render } from "./LowLatencyPlaylist.ts"

/** A part: one fragment's bytes, how long it plays and whether it starts with a keyframe. */
export interface Part {
  readonly bytes: Uint8Array
  readonly duration: number
  readonly independent: boolean
}

interface Segment {
  readonly msn: number
  /** Which run's initialisation segment it needs (`init-<run>.mp4`). */
  readonly run: number
  /** Whether it follows a segment of another run (`EXT-X-DISCONTINUITY`). */
  readonly discontinuity: boolean
  /** When its first frame was live (epoch ms), for `EXT-X-PROGRAM-DATE-TIME`. */
  readonly programDateTime: number
  readonly parts: Array<Part>
  duration: number
  /** Whether a keyframe (or the run's end) closed it. */
  complete: boolean
  /**
   * Its parts' bytes in one, once it is complete (its parts are views of it from then on); null again once
   * it left the memory window for the DVR window's file.
   */
  bytes: Uint8Array | null
  /** Its file, once it left the memory window for the DVR window. */
  file: string | null
}

export interface LowLatencyOptions {
  /** A DVR window: segments past the memory window are kept in files under `dir` for `seconds`; null: off. */
  readonly dvr: { readonly dir: string; readonly seconds: number } | null
  /** What ffmpeg was asked to cut parts at (`-frag_duration`), in seconds. */
  readonly fragmentSeconds: number
  /** A keyframe starts a new segment once the current one lasts this long. */
  readonly minSegmentSeconds: number
  /** How much the playlist keeps, in seconds (at least three segments more than that are kept). */
  readonly windowSeconds: number
}

/** What a blocking playlist request is told now: answer, wait, or refuse it as too far ahead. */
export type Readiness = "ready" | "wait" | "too far"

/** Where a part or a segment is, or will be. */
export type Availability =
  | { readonly _tag: "Here"; readonly bytes: Uint8Array }
  | { readonly _tag: "Later" }
  | { readonly _tag: "Never" }

const EMPTY = new Uint8Array()

export class LowLatencyStream {
  private readonly inits = new Map<number, Uint8Array>()
  private readonly segments: Array<Segment> = []
  private readonly listeners = new Set<() => void>()
  private run = -1
  private discontinuities = 0
  private nextMsn = 0
  private targetDuration = 1
  /** Declared from the second part's frame duration: what ffmpeg cuts at, up to one frame more. */
  private partTargetSeconds: number | null = null
  private partsSeen = 0
  private anchor: { readonly wall: number; readonly media: number } | null = null
  private runStartsNewSegment = false
  ended = false

  readonly sessionId: SessionId
  private readonly options: LowLatencyOptions

  constructor(sessionId: SessionId, options: LowLatencyOptions) {
    this.sessionId = sessionId
    this.options = options
  }

  /** A new run of the packager begins with its initialisation segment. */
  startRun(init: Uint8Array): void {
    this.run++
    this.inits.set(this.run, init)
    this.runStartsNewSegment = true
    this.anchor = null
    this.ended = false
  }

  /**
   * A fragment of the current run: `start` and `duration` in seconds of its timeline, `frameSeconds` its
   * frames' mean duration (the second part's declares the part target), `now` the wall clock (epoch ms) it
   * arrived at.
   */
  addPart(part: Part, start: number, frameSeconds: number, now: number): void {
    if (this.run < 0 || this.ended) return
    // ffmpeg closes a fragment before the frame that would reach its duration: a part lasts less than that
    // and one frame. The frame's duration is read off the second part (a stream's first frames can be odd).
    if (this.partTargetSeconds === null && this.partsSeen++ === 1) {
      this.partTargetSeconds = Math.ceil((this.options.fragmentSeconds + Math.max(frameSeconds, 0.001)) * 1000) / 1000
    }
    if (this.anchor === null) this.anchor = { wall: now - part.duration * 1000, media: start }
    const current = this.segments.at(-1)
    const startsSegment =
      current === undefined ||
      current.complete ||
      this.runStartsNewSegment ||
      (part.independent && current.duration >= this.options.minSegmentSeconds)
    if (startsSegment) {
      if (current !== undefined && !current.complete) this.complete(current)
      const discontinuity = this.runStartsNewSegment && this.segments.length > 0
      this.runStartsNewSegment = false
      this.segments.push({
        msn: this.nextMsn++,
        run: this.run,
        discontinuity,
        programDateTime: Math.round(this.anchor.wall + (start - this.anchor.media) * 1000),
        parts: [],
        duration: 0,
        complete: false,
        bytes: null,
        file: null
      })
      this.trim()
    }
    const segment = this.segments.at(-1)!
    segment.parts.push(part)
    segment.duration += part.duration
    this.changed()
  }

  /** The run stopped (its encoder left): its last segment is complete; a next run continues the playlist. */
  endRun(): void {
    const current = this.segments.at(-1)
    if (current !== undefined && !current.complete) this.complete(current)
    this.runStartsNewSegment = true
    this.changed()
  }

  /** The broadcast is over: the playlist ends (`EXT-X-ENDLIST`) and nothing more will come. */
  end(): void {
    this.endRun()
    this.ended = true
    this.changed()
  }

  /** Lets go of what the stream keeps on disk (a DVR window's files), once no player needs its end. */
  release(): void {
    if (this.options.dvr !== null) forgetAll(this.options.dvr.dir)
  }

  /** Calls `listener` after every change until the answer is called. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Whether there is anything to play yet (the part target is known from the second part on). */
  get started(): boolean {
    return this.partTargetSeconds !== null
  }

  /** The target duration in seconds, as the playlist declares it. */
  get targetSeconds(): number {
    return this.targetDuration
  }

  get partTarget(): number {
    return this.partTargetSeconds ?? this.options.fragmentSeconds
  }

  /** The newest run's initialisation segment, once a run has started. */
  get latestInit(): Uint8Array | undefined {
    return this.inits.get(this.run)
  }

  /** A run's initialisation segment (`init-<run>.mp4`). */
  init(run: number): Uint8Array | undefined {
    return this.inits.get(run)
  }

  /** Parts a request may run ahead of the last one (RFC 8216bis 6.2.5.2's Advance Part Limit). */
  private get advancePartLimit(): number {
    return this.partTarget < 1 ? Math.floor(3 / this.partTarget) : 3
  }

  /**
   * Whether a playlist request blocking for segment `msn` (complete), or for part `part` of it, can be
   * answered now (RFC 8216bis 6.2.5.2).
   */
  readiness(msn: number, part: number | null): Readiness {
    const last = this.segments.at(-1)
    const lastComplete = last === undefined ? -1 : !last.complete ? last.msn - 1 : last.msn
    if (msn > lastComplete + 2) return "too far"
    // Nothing more will come: the playlist is answered as it is, with its end.
    if (this.ended) return "ready"
    if (part === null) return lastComplete >= msn ? "ready" : "wait"
    if (last === undefined) return part > this.advancePartLimit ? "too far" : "wait"
    if (last.msn > msn || (last.msn === msn && last.parts.length > part)) return "ready"
    const ahead = (msn - last.msn) * Math.max(1, last.parts.length) + part - (last.parts.length - 1)
    return ahead > this.advancePartLimit ? "too far" : "wait"
  }

  /** Part `index` of segment `msn`: here, to come (the next one, as the preload hint names it), or never. */
  part(msn: number, index: number): Availability {
    const segment = this.segmentAt(msn)
    const last = this.segments.at(-1)
    if (segment !== undefined && segment.file === null && index < segment.parts.length) {
      return { _tag: "Here", bytes: segment.parts[index]!.bytes }
    }
    if (this.ended || last === undefined) return { _tag: "Never" }
    const hinted = !last.complete
      ? last.msn === msn && last.parts.length === index
      : last.msn + 1 === msn && index === 0
    return hinted ? { _tag: "Later" } : { _tag: "Never" }
  }

  /** Segment `msn` whole: here once complete, to come while it is the one being cut, or never. */
  segment(msn: number): Availability {
    const segment = this.segmentAt(msn)
    if (segment?.bytes != null) return { _tag: "Here", bytes: segment.bytes }
    if (segment?.file != null) {
      const bytes = readKept(segment.file)
      return bytes === null ? { _tag: "Never" } : { _tag: "Here", bytes }
    }
    return segment !== undefined && !this.ended ? { _tag: "Later" } : { _tag: "Never" }
  }

  /** Segment `msn`, if the playlist holds it: the kept segments' numbers run on without a gap. */
  private segmentAt(msn: number): Segment | undefined {
    const first = this.segments[0]
    return first === undefined || !Number.isInteger(msn) ? undefined : this.segments[msn - first.msn]
  }

  /** Each part's duration of segment `msn` (the whole segment's viewer seconds are its parts'). */
  partDurations(msn: number): ReadonlyArray<number> {
    return this.segmentAt(msn)?.parts.map((part) => part.duration) ?? []
  }

  /**
   * The media playlist now; with `skip` (`_HLS_skip=YES`), a delta update when the playlist is long (a DVR
   * window's: it offers `CAN-SKIP-UNTIL` of six target durations, RFC 8216bis 4.4.3.8).
   */
  playlist(skip = false): string {
    const view: PlaylistView = {
      segments: this.segments,
      targetDuration: this.targetDuration,
      partTarget: this.partTarget,
      discontinuities: this.discontinuities,
      canSkipUntil: this.options.dvr === null ? null : this.targetDuration * 6,
      ended: this.ended
    }
    return render(view, skip)
  }

  private complete(segment: Segment): void {
    const bytes = Buffer.concat(segment.parts.map((part) => part.bytes))
    let offset = 0
    segment.parts.forEach((part, index) => {
      segment.parts[index] = { ...part, bytes: bytes.subarray(offset, offset + part.bytes.length) }
      offset += part.bytes.length
    })
    segment.bytes = bytes
    segment.complete = true
    // The target duration is the longest segment's, rounded (RFC 8216bis 4.4.3.1); it only grows.
    this.targetDuration = Math.max(this.targetDuration, Math.round(segment.duration))
  }

  /**
   * Keeps the window (and three segments beyond it) in memory. With a DVR window, a segment that leaves
   * memory goes to its file instead, and leaves the playlist (its file deleted) once the segments after it
   * last the DVR window. Only the maps the kept segments use are kept.
   */
  private trim(): void {
    const inMemory = Math.max(6, Math.ceil(this.options.windowSeconds / Math.max(this.targetDuration, 1)) + 3)
    const dvr = this.options.dvr
    // Segments leave memory in order: the newest one out of it without a file yet, and any before it.
    for (let index = this.segments.length - inMemory - 1; dvr !== null && index >= 0; index--) {
      const segment = this.segments[index]!
      if (segment.file !== null || segment.bytes === null) break
      segment.file = keep(dvr.dir, segment.msn, segment.bytes)
      segment.bytes = null
      segment.parts.forEach((part, partIndex) => {
        segment.parts[partIndex] = { ...part, bytes: EMPTY }
      })
    }
    // What plays after the first segment: with a DVR window, it leaves once the rest lasts the window.
    let after = this.segments.reduce((sum, segment) => sum + segment.duration, 0)
    while (this.segments.length > inMemory) {
      const first = this.segments[0]!
      after -= first.duration
      if (dvr !== null && first.file !== null && after <= dvr.seconds) break
      this.segments.shift()
      if (first.file !== null) forget(first.file)
      if (this.segments[0]!.discontinuity) this.discontinuities++
    }
    const used = new Set(this.segments.map((segment) => segment.run))
    for (const run of this.inits.keys()) if (!used.has(run) && run !== this.run) this.inits.delete(run)
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener()
  }
}
