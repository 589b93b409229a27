/**
 * A media node's recordings: nginx writes every accepted connection's media into the parts folder (one
 * FLV per connection, named `<session id>-<time>.flv`). Once a session's newest part has been quiet for a
 * while and the control plane says the session has ended, the node asks whether it holds the session's
 * recording: if so it joins the parts (`RecordingFinaliser`) into `recordings/<session id>/` and reports
 * the files or the failure; if not (the livestream does not record, the recording is another node's or
 * was lost) it drops the parts. A reconnect inside the window only adds a part, so a session gives one
 * recording whatever happened in between.
 *
 * The finished files' facts are kept beside them (`assets.json`). On local storage the recording is ready
 * then; with a bucket, `RecordingUploads` takes it from there.
 *
 * Reports the control plane could not take are tried again at the next round: parts are kept until their
 * outcome is told.
 */
import type { RecordingAssets, SessionId } from "@onair/core"
import { Clock, Effect, Exit } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { sweepFolders } from "./FolderSweep.ts"
import { MediaControl } from "../protocol/MediaControl.ts"
import * as NginxConfig from "./NginxConfig.ts"
import { finalise, type FinalisedRecording, fsStep } from "./RecordingFinaliser.ts"
import { ASSETS_FILE, SESSION_FOLDER, setMark } from "./RecordingFolder.ts"
import { RecordingStore } from "./RecordingStore.ts"

/** A session's newest part untouched this long: nginx is done with it (a live part grows every second). */
const QUIET_MILLIS = 3_000
const PART = /^([0-9a-f-]{36})-(\d+)\.flv$/

/** The parts folder's files by session, each session's in the order they were written. */
export const partsBySession = (names: ReadonlyArray<string>): Map<string, Array<string>> => {
  const sessions = new Map<string, Array<{ readonly name: string; readonly time: number }>>()
  for (const name of names) {
    const match = PART.exec(name)
    if (match === null) continue
    const list = sessions.get(match[1]!) ?? []
    list.push({ name, time: Number(match[2]) })
    sessions.set(match[1]!, list)
  }
  return new Map(
    [...sessions].map(([session, parts]) => [
      session,
      parts.sort((a, b) => a.time - b.time || a.name.localeCompare(b.name)).map((part) => part.name)
    ])
  )
}

/** Paths under the media folder, as recordings name their files (`recordings/<session>/…`). */
const relative = (mediaDir: string, recording: FinalisedRecording): RecordingAssets => ({
  mp4Path: Path.relative(mediaDir, recording.mp4),
  vodPath: Path.relative(mediaDir, recording.vodPlaylist),
  posterPath: Path.relative(mediaDir, recording.poster),
  durationSeconds: Math.round(recording.durationSeconds * 1000) / 1000,
  size: recording.size,
  width: recording.width,
  height: recording.height,
  videoCodec: recording.videoCodec.slice(0, 32),
  audioCodec: recording.audioCodec.slice(0, 32),
  sha256: recording.sha256,
  vodSize: recording.vodSize
})

/** A finished recording's folder this young is left alone: its recording may be reported a moment later. */
const FOLDER_GRACE_MILLIS = 10_000

/**
 * Removes the folders of recordings that are deleted (or were never this node's to keep): a deletion in
 * the API takes the files with it.
 */
export const sweepDeleted = (mediaDir: string) =>
  Effect.flatMap(MediaControl, (control) =>
    sweepFolders({
      dir: NginxConfig.paths(mediaDir).recordings,
      name: SESSION_FOLDER,
      graceMillis: FOLDER_GRACE_MILLIS,
      kept: control.keptRecordings,
      what: "deleted recordings"
    })
  )

const remove = (files: ReadonlyArray<string>) =>
  Effect.sync(() => {
    for (const file of files) Fs.rmSync(file, { force: true })
  })

/** One round over the parts folder of the node's media folder `mediaDir`. */
export const finaliseEnded = (mediaDir: string) =>
  Effect.gen(function* () {
    const control = yield* MediaControl
    const store = yield* RecordingStore
    const paths = NginxConfig.paths(mediaDir)
    const now = yield* Clock.currentTimeMillis
    const names = Fs.existsSync(paths.recordingParts) ? Fs.readdirSync(paths.recordingParts) : []
    const quiet = [...partsBySession(names)].filter(([, parts]) =>
      parts.every((part) => now - Fs.statSync(Path.join(paths.recordingParts, part)).mtimeMs >= QUIET_MILLIS)
    )
    if (quiet.length === 0) return
    const open = new Set(yield* control.openSessions(quiet.map(([session]) => session)))
    for (const [session, names] of quiet) {
      if (open.has(session)) continue
      const sessionId = session as SessionId
      const parts = names.map((name) => Path.join(paths.recordingParts, name))
      const answer = yield* control.finaliseRecording(sessionId)
      if (!answer.finalise) {
        yield* remove(parts)
        continue
      }
      const folder = Path.join(paths.recordings, session)
      const outcome = yield* Effect.exit(
        Effect.flatMap(finalise(parts, folder), (finished) => {
          const assets = relative(mediaDir, finished)
          return Effect.as(
            fsStep(() => Fs.writeFileSync(Path.join(folder, ASSETS_FILE), JSON.stringify(assets), { mode: 0o600 })),
            assets
          )
        })
      )
      if (Exit.isSuccess(outcome)) {
        const seconds = outcome.value.durationSeconds.toFixed(1)
        if (answer.transcribe) yield* setMark(folder, "transcribe")
        if (store.storage._tag === "Local") {
          yield* control.recordingReady(sessionId, outcome.value, store.storage)
          if (answer.transcribe) yield* setMark(folder, "ready-told")
          yield* Effect.logInfo(`media: recording of ${session} ready (${seconds} s)`)
        } else {
          yield* Effect.logInfo(`media: recording of ${session} finalised (${seconds} s); uploading`)
        }
      } else {
        const failure = outcome.cause.reasons.find((reason) => reason._tag === "Fail")
        const reason = failure?._tag === "Fail" ? failure.error.reason : "finalise failed"
        yield* control.recordingFailed(sessionId, reason)
        yield* Effect.logWarning(`media: recording of ${session} failed: ${reason}`)
      }
      yield* remove(parts)
    }
  }).pipe(
    // Not told this round (the control plane was unreachable): the parts stay for the next one.
    Effect.catch((error) => Effect.logWarning(`media: recordings not finalised this round: ${error.message}`))
  )
