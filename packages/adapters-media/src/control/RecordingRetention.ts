/**
 * Recording retention: each app that keeps its recordings for a number of days
 * (`recording_retention_days`) has the settled ones (ready or failed) that started longer ago deleted,
 * each a `RecordingDeleted` event by `retention` in the log; their nodes' folder sweeps take the files, and
 * a bucket's copies stay for the bucket's own lifecycle rules (see docs/operations.md). Runs in every
 * process that runs timers; two deleting the same recording record it once (the second is refused).
 */
import { awaitReadModel, currentTimestamp, RecordingCommands } from "@onair/application"
import { AppSettingsReads, CatalogReads } from "@onair/catalog"
import { originMetadata } from "@onair/core"
import { Duration, Effect } from "effect"

/** How often retention looks, and how many it deletes per look. */
export const RETENTION_MILLIS = 60_000
const BATCH = 200

/** Deletes the recordings past their app's retention now, at most a batch; how many. */
export const deleteExpired = Effect.gen(function* () {
  const settings = yield* AppSettingsReads
  const recordings = yield* RecordingCommands
  const catalog = yield* CatalogReads
  const at = yield* currentTimestamp
  const due = yield* settings.pastRetention(at, BATCH)
  let deleted = 0
  for (const recordingId of due) {
    yield* recordings
      .handle(
        { _tag: "DeleteRecording", recordingId, at, by: "retention" },
        originMetadata(`recording:${recordingId}:retention`, "system:retention", at)
      )
      .pipe(
        awaitReadModel(catalog),
        Effect.tap(() => Effect.sync(() => deleted++)),
        Effect.catch((error) => Effect.logWarning(`recordings: retention did not delete ${recordingId}: ${error._tag}`))
      )
  }
  if (deleted > 0) yield* Effect.logInfo(`recordings: retention deleted ${deleted} recording(s)`)
  return deleted
})

/** Deletes recordings past retention for as long as it runs; a failed round is logged, the next goes on. */
export const run = Effect.forever(
  Effect.andThen(
    deleteExpired.pipe(
      Effect.catchCause((cause) => Effect.as(Effect.logError("recordings: retention round failed", cause), 0))
    ),
    Effect.sleep(Duration.millis(RETENTION_MILLIS))
  )
)
