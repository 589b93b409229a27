/**
 * What a benchmark reports to the run's summary: each measure that has a target, its value, the target and
 * whether it was met. `./onair bench` sets `ONAIR_BENCH_SUMMARY` to a file and prints the table from it
 * once every benchmark ran (`scripts/bench-summary.ts`); a benchmark run alone appends nowhere.
 */
import * as Fs from "node:fs"

export interface BenchFigure {
  /** The benchmark it comes from (`http`, `media`, …). */
  readonly bench: string
  readonly measure: string
  /** As printed, with its unit and the baseline it is a ratio of. */
  readonly value: string
  readonly target: string
  readonly met: boolean
}

export const recordFigure = (figure: BenchFigure): void => {
  const file = process.env["ONAIR_BENCH_SUMMARY"]
  if (file === undefined || file === "") return
  Fs.appendFileSync(file, `${JSON.stringify(figure)}\n`, { mode: 0o600 })
}
