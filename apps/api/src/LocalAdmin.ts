/**
 * How the token CLI reaches a running server that holds the embedded database (which one process at a
 * time may open): the server writes its URL into the data directory, readable by its owner only, and the
 * CLI calls the admin endpoint there. The admin token goes into the file only when the server made it for
 * this run: a token the operator gave in `ONAIR_ADMIN_TOKEN` is never written to disk, and the CLI takes it
 * from its own environment.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"

export interface LocalAdmin {
  readonly url: string
  readonly adminToken: string
}

/** What the file holds: the server's URL, and its admin token when the server made it. */
export interface LocalAdminFile {
  readonly url: string
  readonly adminToken: string | null
}

const fileIn = (dataDir: string) => Path.join(dataDir, "local-admin.json")

/**
 * Writes the file whole or not at all: into an owner-only file beside it, renamed over it, so a CLI (or
 * anything) reading it never sees it half written.
 */
export const write = (dataDir: string, admin: LocalAdminFile): void => {
  Fs.mkdirSync(dataDir, { recursive: true })
  const written = admin.adminToken === null ? { url: admin.url } : admin
  const file = fileIn(dataDir)
  const partial = `${file}.${process.pid}.tmp`
  Fs.writeFileSync(partial, JSON.stringify(written), { mode: 0o600 })
  Fs.renameSync(partial, file)
}

/** The file as the server left it, or undefined when no server left one (or it is unreadable). */
export const read = (dataDir: string): LocalAdminFile | undefined => {
  let parsed: { url?: unknown; adminToken?: unknown }
  try {
    parsed = JSON.parse(Fs.readFileSync(fileIn(dataDir), "utf8")) as typeof parsed
  } catch {
    return undefined
  }
  if (typeof parsed.url !== "string") return undefined
  return { url: parsed.url, adminToken: typeof parsed.adminToken === "string" ? parsed.adminToken : null }
}

export const remove = (dataDir: string): void => Fs.rmSync(fileIn(dataDir), { force: true })
