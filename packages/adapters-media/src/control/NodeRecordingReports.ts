/**
 * What a media node reports of the recordings it makes, on the control plane: whether it finalises a
 * session's recording now (and transcribes it), which it keeps, and each outcome (ready, failed, the
 * transcript's). A node speaks only of recordings made on it: another node's are skipped, and a repeat or
 * a refused report changes nothing.
 */
import { awaitReadModel, currentTimestamp, RecordingCommands } from "@onair/application"
import { AppSettingsReads, CatalogReads, RecordingReads } from "@onair/catalog"
import {
  isOpen,
  type MediaNodeId,
  originMetadata,
  type RecordingCommand,
  type SessionId,
  type Timestamp
} from "@onair/core"
import { Effect } from "effect"
import { type MediaControl, MediaControlUnavailable } from "../protocol/MediaControl.ts"

type Reports = Pick<
  MediaControl["Service"],
  | "finaliseRecording"
  | "keptRecordings"
  | "recordingReady"
  | "recordingFailed"
  | "transcriptionStarted"
  | "transcriptionReady"
  | "transcriptionFailed"
>

export const make = Effect.gen(function* () {
  const recordings = yield* RecordingCommands
  const recordingReads = yield* RecordingReads
  const appSettings = yield* AppSettingsReads
  const catalog = yield* CatalogReads

  /** The recording reports of node `nodeId`. */
  const forNode = (nodeId: MediaNodeId): Reports => {
    const unavailable = (error: { readonly _tag: string }) =>
      new MediaControlUnavailable({ message: `media node ${nodeId}: ${error._tag}` })

    /**
     * Whether this node holds the session's recording, which finalises from now on, and whether its app
     * wants it transcribed (as the app said when it began finalising).
     */
    const finaliseRecording = Effect.fn("NodeControl.finaliseRecording")(function* (sessionId: SessionId) {
      const skip = { finalise: false, transcribe: false }
      const recording = yield* recordingReads.recordingById(sessionId)
      if (recording === undefined || recording.nodeId !== nodeId || recording.deletedAt !== null) return skip
      if (recording.phase._tag === "Finalising") return { finalise: true, transcribe: recording.transcribe }
      if (recording.phase._tag !== "Recording") return skip
      const session = yield* catalog.sessionById(sessionId)
      // Its session goes on (inside its reconnect window, say): nothing to finalise yet.
      if (session !== undefined && isOpen(session)) return skip
      const at = yield* currentTimestamp
      const { transcribeRecordings } = yield* appSettings.settings(recording, at)
      return yield* recordings
        .handle(
          { _tag: "FinaliseRecording", recordingId: sessionId, at, transcribe: transcribeRecordings },
          originMetadata(`recording:${sessionId}:finalise`, `media-node:${nodeId}`, at)
        )
        .pipe(
          awaitReadModel(catalog),
          Effect.as({ finalise: true, transcribe: transcribeRecordings }),
          Effect.mapError(unavailable)
        )
    })

    /** A recording's report from its own node, once (a repeat or a refused one changes nothing). */
    const settleRecording = (sessionId: SessionId, settle: (at: Timestamp) => RecordingCommand) =>
      Effect.gen(function* () {
        const recording = yield* recordingReads.recordingById(sessionId)
        if (recording === undefined || recording.nodeId !== nodeId) return
        const at = yield* currentTimestamp
        const command = settle(at)
        yield* recordings
          .handle(command, originMetadata(`recording:${sessionId}:${command._tag}`, `media-node:${nodeId}`, at))
          .pipe(
            awaitReadModel(catalog),
            Effect.asVoid,
            Effect.catch((error) =>
              error._tag === "EventStoreFailed" ||
              error._tag === "CommandConflict" ||
              error._tag === "AggregateReadFailed"
                ? Effect.fail(unavailable(error))
                : Effect.logWarning(`media: recording ${sessionId}: ${command._tag} refused: ${error._tag}`)
            )
          )
      })

    return {
      finaliseRecording,
      keptRecordings: (sessionIds) => recordingReads.keptOn(nodeId, sessionIds),
      recordingReady: (sessionId, assets, storage) =>
        settleRecording(sessionId, (at) => ({
          _tag: "CompleteRecording",
          recordingId: sessionId,
          at,
          assets,
          storage
        })),
      recordingFailed: (sessionId, reason) =>
        settleRecording(sessionId, (at) => ({ _tag: "FailRecording", recordingId: sessionId, at, reason })),
      transcriptionStarted: (sessionId) =>
        settleRecording(sessionId, (at) => ({ _tag: "StartTranscription", recordingId: sessionId, at })),
      transcriptionReady: (sessionId, assets) =>
        settleRecording(sessionId, (at) => ({ _tag: "CompleteTranscription", recordingId: sessionId, at, assets })),
      transcriptionFailed: (sessionId, reason) =>
        settleRecording(sessionId, (at) => ({ _tag: "FailTranscription", recordingId: sessionId, at, reason }))
    }
  }

  return { forNode }
})
