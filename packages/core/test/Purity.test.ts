/**
 * The core is pure: it imports nothing but `effect` and its own modules, reads no clock, draws no random
 * number and does no I/O. This test reads every source file and fails on the first that breaks that.
 */
import { assert, describe, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"

const root = join(import.meta.dirname, "..")
const src = join(root, "src")

const sources = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g

/** Ways to reach a clock, randomness, the environment or I/O. */
const FORBIDDEN: ReadonlyArray<[RegExp, string]> = [
  [/Date\.now\s*\(/, "Date.now()"],
  [/new Date\(\s*\)/, "new Date() without an instant"],
  [/Math\.random\s*\(/, "Math.random()"],
  [/\bperformance\s*\./, "performance"],
  [/\bprocess\s*\./, "process"],
  [/\bcrypto\s*\./, "crypto"],
  [/\bfetch\s*\(/, "fetch()"],
  [/\bset(?:Timeout|Interval|Immediate)\s*\(/, "timers"],
  [/\bglobalThis\b/, "globalThis"],
  [/\bconsole\s*\./, "console"]
]

const importsOf = (text: string): Array<string> =>
  [...text.matchAll(IMPORT)].map((match) => match[1] ?? match[2] ?? match[3] ?? "")

const impurities = (text: string): Array<string> =>
  FORBIDDEN.filter(([pattern]) => pattern.test(text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ""))).map(([, name]) => name)

describe("core purity", () => {
  const files = sources(src)

  it("has sources to check", () => {
    assert.isAbove(files.length, 20)
  })

  it("depends on effect only", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>
      peerDependencies?: Record<string, string>
    }
    assert.deepStrictEqual(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }), ["effect"])
  })

  for (const file of files) {
    const name = relative(root, file)
    it(`${name} imports only effect and the core`, () => {
      const outside = importsOf(readFileSync(file, "utf8")).filter(
        (specifier) => !(specifier === "effect" || specifier.startsWith("effect/") || specifier.startsWith("."))
      )
      assert.deepStrictEqual(outside, [])
    })
    it(`${name} reads no clock, randomness or I/O`, () => {
      assert.deepStrictEqual(impurities(readFileSync(file, "utf8")), [])
    })
  }

  it("the checks catch what they are for", () => {
    assert.deepStrictEqual(importsOf(`import { readFile } from "node:fs"\nimport { Schema } from "effect"`), [
      "node:fs",
      "effect"
    ])
    assert.deepStrictEqual(impurities("const now = Date.now()"), ["Date.now()"])
    assert.deepStrictEqual(impurities("const x = Math.random() // comment"), ["Math.random()"])
    assert.deepStrictEqual(impurities("// Date.now() in a comment is fine"), [])
  })
})
