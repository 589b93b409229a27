/**
 * Load generation for benchmarks: N fibers repeat an operation until a deadline; each call's latency is
 * recorded. Reports operations per second and latency percentiles.
 */
import { Effect } from "effect"

export interface Figures {
  readonly operations: number
  readonly seconds: number
  readonly perSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

export interface Samples {
  readonly latencies: ReadonlyArray<number>
  readonly seconds: number
}

/** Figures from one or more runs of the same load, pooled. */
export const summarise = (runs: ReadonlyArray<Samples>): Figures => {
  const latencies = runs.flatMap((run) => run.latencies)
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0)
  const sorted = Float64Array.from(latencies).sort()
  return {
    operations: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99)
  }
}

/** Runs `operation(worker, n)` from `concurrency` workers for `durationMs`; `n` counts each worker's calls. */
export const sample = <E, R>(
  concurrency: number,
  durationMs: number,
  operation: (worker: number, n: number) => Effect.Effect<unknown, E, R>
): Effect.Effect<Samples, E, R> =>
  Effect.gen(function* () {
    const latencies: Array<number> = []
    const started = performance.now()
    const deadline = started + durationMs
    yield* Effect.forEach(
      Array.from({ length: concurrency }, (_, worker) => worker),
      (worker) =>
        Effect.gen(function* () {
          for (let n = 0; performance.now() < deadline; n++) {
            const t0 = performance.now()
            yield* operation(worker, n)
            latencies.push(performance.now() - t0)
          }
        }),
      { concurrency: "unbounded", discard: true }
    )
    return { latencies, seconds: (performance.now() - started) / 1000 }
  })

export const formatRate = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0))
export const formatMs = (n: number) => n.toFixed(2)
