/**
 * The summary table at the end of `./onair bench`: every measure with a target that the benchmarks
 * reported (`ONAIR_BENCH_SUMMARY`, one JSON line each), with the machine they ran on.
 * `node scripts/bench-summary.ts <file> [failed benchmark names…]`.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"

interface Figure {
  readonly bench: string
  readonly measure: string
  readonly value: string
  readonly target: string
  readonly met: boolean
}

const [file, ...failed] = process.argv.slice(2)
const figures: Array<Figure> =
  file !== undefined && Fs.existsSync(file)
    ? Fs.readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Figure)
    : []
const cell = (text: string) => text.replaceAll("|", "\\|")
const cpu = Os.cpus()[0]?.model.trim() ?? "unknown CPU"
const memory = `${Math.round(Os.totalmem() / 2 ** 30)} GiB`

console.log(`\n## Summary: ${figures.filter((f) => f.met).length} of ${figures.length} targets met`)
console.log(
  `Machine: ${Os.cpus().length} cores (${cpu}), ${memory}, ${Os.platform()} ${Os.release()}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}\n`
)
console.log("| benchmark | measure | value | target | met |")
console.log("| --- | --- | --- | --- | --- |")
for (const f of figures)
  console.log(
    `| ${f.bench} | ${cell(f.measure)} | ${cell(f.value)} | ${cell(f.target)} | ${f.met ? "yes" : "**no**"} |`
  )
for (const name of failed) console.log(`| ${name} | the benchmark failed (see its output above) | | | **no** |`)
