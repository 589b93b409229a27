/**
 * A media node's uploads of finished recordings to the bucket (`RecordingStore`), when one is configured.
 * Each recording folder with its facts (`assets.json`) and no upload yet is uploaded, retried with backoff
 * (1 s, doubling, at most 30 s apart) when storage does not answer. A recording whose upload has not
 * succeeded within `ONAIR_RECORDING_UPLOAD_DEADLINE_SECONDS` (300) is reported failed with `storage
 * unreachable`, once; its node keeps the files and goes on trying (at most 5 minutes apart) until the
 * upload succeeds (the recording becomes ready then) or the recording is deleted (the folder sweep takes
 * the files).
 *
 * After an upload the folder is marked (`uploaded`), so a report the control plane could not take is
 * retried without uploading again; once reported, the local copy is removed (after its transcript, when
 * its app wants one). The backoff of each folder is
 * kept in memory, bounded by the folders on disk; a restart begins their backoff and deadline again.
 */
import type { RecordingAssets, SessionId } from "@onair/core"
import { Clock, Config, Effect, Schema } from "effect"
import * as Path from "node:path"
import { FolderRetries } from "./FolderRetries.ts"
import { MediaControl } from "../protocol/MediaControl.ts"
import * as NginxConfig from "./NginxConfig.ts"
import { ASSETS_FILE, foldersWithFacts, hasMark, removeFolder, setMark } from "./RecordingFolder.ts"
import { RecordingStore } from "./RecordingStore.ts"

export const uploadDeadlineFromEnv = Config.schema(
  Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 7 * 86_400 }))),
  "ONAIR_RECORDING_UPLOAD_DEADLINE_SECONDS"
).pipe(Config.withDefault(300))

/**
 * The upload loop's round over the node's recordings folder: `deadlineSeconds` is how long uploads are
 * retried before the recording is reported failed.
 */
export const makeUploads = (mediaDir: string, deadlineSeconds: number) => {
  const retries = new FolderRetries()
  const recordingsDir = NginxConfig.paths(mediaDir).recordings

  const uploadOne = (session: string, assets: RecordingAssets, now: number) =>
    Effect.gen(function* () {
      const control = yield* MediaControl
      const store = yield* RecordingStore
      const folder = Path.join(recordingsDir, session)
      const sessionId = session as SessionId
      if (!hasMark(folder, "uploaded")) {
        const uploaded = yield* Effect.exit(store.upload(folder, `recordings/${session}`))
        if (uploaded._tag === "Failure") {
          const failureTold = hasMark(folder, "failure-told")
          const failingFor = retries.failingFor(session, now)
          const count = retries.failed(session, now, failureTold)
          const reason = uploaded.cause.reasons.find((r) => r._tag === "Fail")
          const message = reason?._tag === "Fail" ? reason.error.message : "interrupted"
          yield* Effect.logWarning(`media: upload of recording ${session} failed (attempt ${count}): ${message}`)
          if (!failureTold && failingFor >= deadlineSeconds * 1000) {
            yield* control.recordingFailed(sessionId, "storage unreachable")
            yield* setMark(folder, "failure-told")
            yield* Effect.logWarning(
              `media: recording ${session} failed: storage unreachable; the files are kept and retried`
            )
          }
          return
        }
        yield* setMark(folder, "uploaded")
      }
      yield* control.recordingReady(sessionId, assets, store.storage)
      retries.forget(session)
      yield* Effect.logInfo(`media: recording of ${session} uploaded to storage; ready`)
      // The local copy goes, unless its transcript is still to be made from it.
      if (hasMark(folder, "transcribe")) yield* setMark(folder, "ready-told")
      else yield* removeFolder(folder)
    })

  return Effect.gen(function* () {
    const store = yield* RecordingStore
    if (store.storage._tag === "Local") return
    const now = yield* Clock.currentTimeMillis
    const folders = (yield* foldersWithFacts(recordingsDir)).filter(
      ([session]) => !hasMark(Path.join(recordingsDir, session), "ready-told")
    )
    retries.keepOnly(new Set(folders.map(([session]) => session)))
    for (const [session, facts] of folders) {
      if (!retries.isDue(session, now)) continue
      if (facts === null) {
        yield* Effect.logError(
          `media: recording ${session} has unreadable facts (${ASSETS_FILE}); left for the operator`
        )
        retries.park(session, now)
        continue
      }
      yield* uploadOne(session, facts, now)
    }
  }).pipe(
    // Not told this round (the control plane was unreachable): the folder stays for the next one.
    Effect.catch((error) => Effect.logWarning(`media: recording uploads paused this round: ${error.message}`))
  )
}
