/**
 * A new embedded database starts from a copy of one that PGlite initialised once, instead of running
 * initdb in WebAssembly again (2–2.5 s on the 2-core machines CI runs on; the copy takes a fifth of it).
 * What the store then does is the same as on any restart of a job on its data: open the directory, run the
 * migrations. The one template per PGlite version lives under the system's temp directory; the first
 * process that needs it makes it in a directory of its own and renames it into place, so processes that
 * race make one each and one wins.
 */
import { PGlite } from "@electric-sql/pglite"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"

const pgliteVersion = (): string => {
  const require = createRequire(import.meta.url)
  const main = require.resolve("@electric-sql/pglite")
  for (let dir = Path.dirname(main); dir !== Path.dirname(dir); dir = Path.dirname(dir)) {
    const manifest = Path.join(dir, "package.json")
    if (Fs.existsSync(manifest)) {
      const parsed = JSON.parse(Fs.readFileSync(manifest, "utf8")) as { name?: string; version?: string }
      if (parsed.name === "@electric-sql/pglite" && parsed.version !== undefined) return parsed.version
    }
  }
  throw new Error("the version of @electric-sql/pglite was not found")
}

let made: Promise<string> | undefined

/** The template's directory: an initialised, cleanly closed PGlite data directory (made on first use). */
export const embeddedTemplate = (): Promise<string> => {
  made ??= (async () => {
    const template = Path.join(Os.tmpdir(), `onair-pglite-template-${pgliteVersion()}-${process.getuid?.() ?? 0}`)
    if (Fs.existsSync(Path.join(template, "PG_VERSION"))) return template
    const building = Fs.mkdtempSync(`${template}.building-`)
    const db = await PGlite.create({ dataDir: building })
    await db.close()
    try {
      Fs.renameSync(building, template)
    } catch {
      // Another process put its template there first: theirs serves.
      Fs.rmSync(building, { recursive: true, force: true })
    }
    return template
  })()
  return made
}

/**
 * Puts an initialised embedded database where a store on `dataDir` (`ONAIR_DATA_DIR`) opens it, owner-only
 * as the store keeps it; does nothing when one is there already.
 */
export const seedEmbeddedDatabase = async (dataDir: string): Promise<void> => {
  const target = Path.join(dataDir, "pglite")
  if (Fs.existsSync(target)) return
  const template = await embeddedTemplate()
  Fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  Fs.cpSync(template, target, { recursive: true, mode: Fs.constants.COPYFILE_FICLONE })
  Fs.chmodSync(target, 0o700)
}
