/**
 * A finished recording's folder on its node (`<media>/recordings/<session id>/`): its files, its facts
 * (`assets.json`), and empty marker files that say how far the node got with it, so that each step is
 * done once across rounds and restarts:
 *
 * - `transcribe`: its app wants a transcript;
 * - `uploaded`: its files are in the bucket (the report may still be due);
 * - `failure-told`: its upload's failure was reported (uploads go on);
 * - `ready-told`: its readiness was reported and the folder is kept for the transcript;
 * - `transcribed`: its transcript's outcome was reported.
 */
import { RecordingAssets } from "@onair/core"
import { Effect, Result, Schema } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"

export const ASSETS_FILE = "assets.json"
export const SESSION_FOLDER = /^[0-9a-f-]{36}$/

export type Mark = "transcribe" | "uploaded" | "failure-told" | "ready-told" | "transcribed"

export const hasMark = (folder: string, mark: Mark): boolean => Fs.existsSync(Path.join(folder, mark))

/** Sets a mark; a folder swept away meanwhile is no error. */
export const setMark = (folder: string, mark: Mark) =>
  Effect.ignore(Effect.try(() => Fs.writeFileSync(Path.join(folder, mark), "", { mode: 0o600 })))

/** Removes the folder and everything in it (its files are stored elsewhere, or deleted). */
export const removeFolder = (folder: string) =>
  Effect.ignore(Effect.try(() => Fs.rmSync(folder, { recursive: true, force: true })))

const decodeFacts = Schema.decodeUnknownExit(Schema.fromJsonString(RecordingAssets))

/**
 * The recording folders under `recordingsDir` that have facts, with them (null: unreadable or not facts);
 * a folder without them (not finished, or swept meanwhile) is left out.
 */
export const foldersWithFacts = (recordingsDir: string) =>
  Effect.gen(function* () {
    const names = yield* Effect.sync(() => (Fs.existsSync(recordingsDir) ? Fs.readdirSync(recordingsDir) : []))
    const found: Array<readonly [string, RecordingAssets | null]> = []
    for (const name of names.filter((name) => SESSION_FOLDER.test(name))) {
      const read = yield* Effect.result(
        Effect.try({
          try: () => Fs.readFileSync(Path.join(recordingsDir, name, ASSETS_FILE), "utf8"),
          catch: (error) => error as NodeJS.ErrnoException
        })
      )
      if (Result.isFailure(read)) {
        if (read.failure.code !== "ENOENT") found.push([name, null])
        continue
      }
      const facts = decodeFacts(read.success)
      found.push([name, facts._tag === "Success" ? facts.value : null])
    }
    return found
  })
