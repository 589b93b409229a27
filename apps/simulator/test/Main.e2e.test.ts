/**
 * The main job as a user runs it: a child process with real arguments and real output.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { join } from "node:path"

const main = join(import.meta.dirname, "..", "src", "main.ts")
const run = (...args: Array<string>) => spawnSync(process.execPath, [main, ...args], { encoding: "utf8" })

describe("simulator", () => {
  it("narrates a run and reports that the invariants held", () => {
    const result = run("--seed", "42", "--steps", "120")
    assert.strictEqual(result.status, 0, result.stderr)
    assert.include(result.stdout, "OnAir simulation: seed 42")
    assert.match(result.stdout, /\[\+\d\d:\d\d:\d\d\] /)
    assert.include(result.stdout, "invariants I1-I9 held after every signal")
  })

  it("is deterministic for a seed", () => {
    assert.strictEqual(run("--seed", "7", "--steps", "80").stdout, run("--seed", "7", "--steps", "80").stdout)
  })

  it("never prints a whole stream key", () => {
    const result = run("--seed", "3", "--steps", "200")
    assert.notMatch(result.stdout, /sk_0{21}[0-9a-f]{16}/)
  })

  it("rejects bad arguments with a usage line and exit code 2", () => {
    const result = run("--steps", "zero")
    assert.strictEqual(result.status, 2)
    assert.include(result.stderr, "usage:")
  })

  it("rejects an unknown option with the reason and the usage line", () => {
    const result = run("--speed", "3")
    assert.strictEqual(result.status, 2)
    assert.include(result.stderr, "--speed")
    assert.include(result.stderr, "usage:")
  })
})
