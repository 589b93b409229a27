/**
 * Builds a published package for consumers (run in its folder; `pnpm --filter <name> build`): ESM
 * JavaScript, `.d.ts` and source maps in `dist/` from `tsconfig.build.json`. The compiler rewrites the
 * sources' relative `.ts` imports to `.js` in the JavaScript; the declarations keep them, so they are
 * rewritten here (a consumer's TypeScript resolves `./x.js` to `./x.d.ts`).
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"

const dist = Path.resolve("dist")
Fs.rmSync(dist, { recursive: true, force: true })
// The package's own compiler (its `bin`; the package exports no path to it).
const typescript = Path.dirname(createRequire(Path.resolve("package.json")).resolve("typescript/package.json"))
execFileSync(process.execPath, [Path.join(typescript, "bin", "tsc"), "-p", "tsconfig.build.json"], { stdio: "inherit" })

const RELATIVE_TS = /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g
const walk = (dir: string): Array<string> =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(Path.join(dir, entry.name)) : [Path.join(dir, entry.name)]
  )
let rewritten = 0
for (const file of walk(dist).filter((f) => f.endsWith(".d.ts"))) {
  const text = Fs.readFileSync(file, "utf8")
  const next = text.replace(RELATIVE_TS, "$1$2.js$3")
  if (next !== text) {
    Fs.writeFileSync(file, next)
    rewritten++
  }
}
process.stdout.write(
  `built ${Path.basename(process.cwd())}: dist/ (${rewritten} declaration files' imports rewritten to .js)\n`
)
