/**
 * How the token CLI reaches a running server that holds the embedded database (which one process at a
 * time may open): the server writes its URL and admin token into the data directory, readable by its
 * owner only, and the CLI calls the admin endpoint with them.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"

export interface LocalAdmin {
  readonly url: string
  readonly adminToken: string
}

const fileIn = (dataDir: string) => Path.join(dataDir, "local-admin.json")

export const write = (dataDir: string, admin: LocalAdmin): void => {
  Fs.mkdirSync(dataDir, { recursive: true })
  Fs.writeFileSync(fileIn(dataDir), JSON.stringify(admin), { mode: 0o600 })
}

export const read = (dataDir: string): LocalAdmin | undefined => {
  try {
    const parsed = JSON.parse(Fs.readFileSync(fileIn(dataDir), "utf8")) as Partial<LocalAdmin>
    return typeof parsed.url === "string" && typeof parsed.adminToken === "string"
      ? { url: parsed.url, adminToken: parsed.adminToken }
      : undefined
  } catch {
    return undefined
  }
}

export const remove = (dataDir: string): void => Fs.rmSync(fileIn(dataDir), { force: true })
