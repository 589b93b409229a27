/**
 * A DVR window's segments on the node's disk, once they left memory: one owner-only file per segment in an
 * owner-only folder of the session's (`<media dir>/dvr/<session>/<msn>.m4s`), read back when a player
 * seeks to them, deleted as they leave the window.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"

/** Writes a segment that left memory: its file. */
export const keep = (dir: string, msn: number, bytes: Uint8Array): string => {
  Fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const file = Path.join(dir, `${msn}.m4s`)
  Fs.writeFileSync(file, bytes, { mode: 0o600 })
  return file
}

/** A kept segment's bytes, or null when its file is gone (swept, or the disk lost it). */
export const readKept = (file: string): Uint8Array | null => {
  try {
    return Fs.readFileSync(file)
  } catch {
    return null
  }
}

/** Deletes a kept segment's file (nothing when it is gone already). */
export const forget = (file: string) => Fs.rmSync(file, { force: true })

/** Deletes a session's folder of kept segments, all of it. */
export const forgetAll = (dir: string) => Fs.rmSync(dir, { recursive: true, force: true })
