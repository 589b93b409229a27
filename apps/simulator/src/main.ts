/**
 * OnAir's main job until the API exists: one simulated day of livestreams, encoders, meetings and
 * viewers folded through the core, narrated, with the invariants checked after every signal.
 *
 *   node src/main.ts [--seed N] [--steps N] [--quiet]
 */
import { narrateEntry, simulate, START, step, summary } from "@onair/simulation"
import fc from "fast-check"
import { parseArgs } from "node:util"

const USAGE = "usage: onair start [--seed <integer>] [--steps <1..100000>] [--quiet]\n"

const parse = () => {
  try {
    return parseArgs({
      // Package runners pass a leading "--" through; it separates nothing here.
      args: process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === "--")),
      options: {
        seed: { type: "string", default: "20261121" },
        steps: { type: "string", default: "200" },
        quiet: { type: "boolean", default: false }
      }
    }).values
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
    return process.exit(2)
  }
}

const values = parse()
const seed = Number(values.seed)
const steps = Number(values.steps)
if (!Number.isInteger(seed) || !Number.isInteger(steps) || steps < 1 || steps > 100_000) {
  process.stderr.write(USAGE)
  process.exit(2)
}

const [scenarioSteps = []] = fc.sample(fc.array(step, { minLength: steps, maxLength: steps }), { seed, numRuns: 1 })
const run = simulate(scenarioSteps)
const out = (line: string) => process.stdout.write(`${line}\n`)

out(`OnAir simulation: seed ${seed}, ${scenarioSteps.length} steps`)
if (!values.quiet) for (const entry of run.entries) out(narrateEntry(entry, START))
out("")
for (const line of summary(run, START)) out(line)
process.exitCode = run.violations.length === 0 ? 0 : 1
