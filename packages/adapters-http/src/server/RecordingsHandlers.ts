/**
 * Recordings: reads from the catalog's recordings table, deletion through the recording's command path.
 * Every record's links are signed for an hour from the current minute (so records read within a minute
 * carry the same links, which caches can share).
 */
import { awaitReadModel, RecordingCommands, RecordingLinks } from "@onair/application"
import { CatalogReads, RecordingReads } from "@onair/catalog"
import { originMetadata, type Recording } from "@onair/core"
import { Clock, Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { conflict, notFound, OnAirApi } from "@onair/http-api"
import { DEFAULT_PER_PAGE, pagingOf } from "./LivestreamsHandlers.ts"
import { phaseOfStatus, recordingRecord } from "./RecordingRecords.ts"
import { authorize, authorizeLivestream, now, settle, timeParam } from "./Requests.ts"

const LINK_MILLIS = 60 * 60 * 1000

export const RecordingsHandlers = HttpApiBuilder.group(
  OnAirApi,
  "recordings",
  Effect.fn(function* (handlers) {
    const catalog = yield* CatalogReads
    const recordingReads = yield* RecordingReads
    const recordingCommands = yield* RecordingCommands
    const links = yield* RecordingLinks

    /** The records of `recordings`, their links signed until an hour past the current minute. */
    const records = (recordings: ReadonlyArray<Recording>) =>
      Effect.map(Clock.currentTimeMillis, (millis) => {
        const expiresAt = millis - (millis % 60_000) + LINK_MILLIS
        return recordings.map((recording) => recordingRecord(recording, links.link, expiresAt))
      })

    return handlers
      .handle("getRecordings", ({ params, query }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          const pageNo = query.page_no ?? 1
          const perPage = query.per_page ?? DEFAULT_PER_PAGE
          const found = yield* recordingReads.recordingsIn(
            scope,
            {
              livestreamId: query.livestream_id,
              phase: query.status === undefined ? undefined : phaseOfStatus(query.status),
              from: yield* timeParam("start_time", query.start_time),
              to: yield* timeParam("end_time", query.end_time),
              order: query.sort_order ?? "DESC"
            },
            { pageNo, perPage }
          )
          return { success: true as const, data: yield* records(found.items), paging: pagingOf(found, pageNo, perPage) }
        })
      )
      .handle("getLivestreamRecordings", ({ params, query }) =>
        Effect.gen(function* () {
          const { scope, livestream } = yield* authorizeLivestream(params)
          const pageNo = query.page_no ?? 1
          const perPage = query.per_page ?? DEFAULT_PER_PAGE
          const found = yield* recordingReads.recordingsIn(
            scope,
            { livestreamId: livestream.id, order: "DESC" },
            { pageNo, perPage }
          )
          return {
            success: true as const,
            data: { paging: pagingOf(found, pageNo, perPage), recordings: yield* records(found.items) }
          }
        })
      )
      .handle("getRecording", ({ params }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          const recording = yield* recordingReads.recording(scope, params.recording_id)
          if (recording === undefined) return yield* notFound(`recording ${params.recording_id}`)
          return { success: true as const, data: (yield* records([recording]))[0]! }
        })
      )
      .handle("deleteRecording", ({ params }) =>
        Effect.gen(function* () {
          const { token, scope } = yield* authorize(params)
          const recording = yield* recordingReads.recording(scope, params.recording_id)
          if (recording === undefined) return yield* notFound(`recording ${params.recording_id}`)
          const at = yield* now
          yield* recordingCommands
            .handle(
              { _tag: "DeleteRecording", recordingId: recording.id, at, by: "owner" },
              originMetadata(`recording:${recording.id}:delete:${crypto.randomUUID()}`, `token:${token.id}`, at)
            )
            .pipe(
              awaitReadModel(catalog),
              Effect.catchTags({
                RecordingStillInProgress: () =>
                  Effect.fail(
                    conflict(
                      "recording_in_progress",
                      `recording ${recording.id} is still being written; delete it once it is ready or failed`
                    )
                  ),
                RecordingDeleted: () => Effect.fail(notFound(`recording ${recording.id}`)),
                RecordingNotFound: () => Effect.fail(notFound(`recording ${recording.id}`))
              }),
              settle
            )
          return {
            success: true as const,
            data: { message: `recording ${recording.id} is deleted; its files go with it` }
          }
        })
      )
  })
)
