/**
 * A packaged broadcast's adaptive ladder: one low-latency stream per rung beside the source's, fed by the
 * packager's runs (each rung on a pipe of its own, `PackagerArgs`). Every rung follows its run's source
 * (`FragmentReader`'s `follow`), so its segments keep the source's numbers and players switch variants on
 * the same segment and part; a run that ends, or a broadcast that ends, ends every variant alike.
 */
import type { IngestHealth, Rendition } from "@onair/core"
import { avcCodecId } from "./Fmp4Boxes.ts"
import { fragmentReader } from "./FragmentReader.ts"
import type { LowLatencyStream } from "./LowLatencyStream.ts"
import type { LadderPlan, Rung } from "./RenditionLadders.ts"

/** What a rung is sent with besides its video: the source's audio, when it has some. */
const AUDIO_BITS = 128_000

export class PackagedLadder {
  readonly plan: LadderPlan
  readonly rungs: ReadonlyArray<{ readonly rung: Rung; readonly stream: LowLatencyStream }>

  constructor(plan: LadderPlan, streamFor: (rung: Rung) => LowLatencyStream) {
    this.plan = plan
    this.rungs = plan.rungs.map((rung) => ({ rung, stream: streamFor(rung) }))
  }

  /** The rung's stream by its name (`480p`). */
  stream(name: string): LowLatencyStream | undefined {
    return this.rungs.find((entry) => entry.rung.name === name)?.stream
  }

  /**
   * Readers of a run's rung outputs, in the plan's order: each waits for the run's source to start
   * (`sourceStart`, null until it has) and starts where it did.
   */
  readers(options: {
    readonly now: () => number
    readonly firstPartSeconds: number
    readonly sourceStart: () => number | null
  }): ReadonlyArray<(chunk: Uint8Array) => void> {
    return this.rungs.map(({ stream }) =>
      fragmentReader(stream, {
        now: options.now,
        firstPartSeconds: options.firstPartSeconds,
        takeOver: () => {},
        follow: options.sourceStart
      })
    )
  }

  endRun(): void {
    for (const { stream } of this.rungs) stream.endRun()
  }

  end(): void {
    for (const { stream } of this.rungs) stream.end()
  }

  release(): void {
    for (const { stream } of this.rungs) stream.release()
  }

  /**
   * The variants players get, for the master playlist and the session's health: the source (when the
   * ladder keeps it) as `health` measures it, then every rung that has started, its codec read off its
   * initialisation segment.
   */
  renditions(health: IngestHealth): ReadonlyArray<Rendition> {
    const audio = health.audioCodecId !== ""
    const source: Array<Rendition> = this.plan.source
      ? [
          {
            name: "source",
            width: health.width,
            height: health.height,
            videoCodecId: health.videoCodecId,
            audioCodecId: health.audioCodecId,
            bandwidth: Math.round(health.videoBitrate + health.audioBitrate)
          }
        ]
      : []
    const rungs = this.rungs.flatMap(({ rung, stream }) => {
      const init = stream.started ? stream.latestInit : undefined
      if (init === undefined) return []
      return [
        {
          name: rung.name,
          width: rung.width,
          height: rung.height,
          videoCodecId: avcCodecId(init) ?? "avc1.4d401f",
          audioCodecId: health.audioCodecId,
          bandwidth: rung.videoKbps * 1000 + (audio ? AUDIO_BITS : 0)
        }
      ]
    })
    return [...source, ...rungs]
  }
}
