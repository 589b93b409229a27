/**
 * A media node's transcripts of its ready recordings whose app wants them (`transcribe` in the folder,
 * readiness told): the recording's audio (16 kHz mono WAV, made by ffmpeg) goes to the
 * `TranscriptionEngine`, and `transcript.txt`, `.srt` and `.json` are written beside the MP4 (and put in
 * the bucket with it, when recordings are stored there). The control plane is told when it begins and
 * how it ended (`transcription.*` webhooks); a recording with no audio, or an engine that fails, ends in
 * a failed transcript with its reason. An engine or bucket that does not answer is tried again at later
 * rounds (1 s doubling to 5 minutes) until `ONAIR_RECORDING_UPLOAD_DEADLINE_SECONDS` has passed, then
 * the transcript fails. A folder whose recording is in the bucket is removed once its transcript is told.
 */
import type { RecordingAssets, SessionId, TranscriptAssets, TranscriptionFailure } from "@onair/core"
import { Clock, Data, Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { MediaControl } from "../protocol/MediaControl.ts"
import * as NginxConfig from "./NginxConfig.ts"
import { foldersWithFacts, hasMark, removeFolder, setMark } from "./RecordingFolder.ts"
import { FolderRetries } from "./FolderRetries.ts"
import { RecordingStore } from "./RecordingStore.ts"
import { TRANSCRIPT_FILES, toJson, toSrt, toText } from "./TranscriptFiles.ts"
import { TranscriptionEngine, type TranscriptNotMade } from "./TranscriptionEngine.ts"
import { runTool } from "./ToolRun.ts"

const AUDIO_FILE = "transcript-audio.wav"

class NotTranscribed extends Data.TaggedError("NotTranscribed")<{
  readonly reason: TranscriptionFailure
  readonly message: string
}> {}

/** The recording's audio as 16 kHz mono WAV; `no audio` when it has none. */
const extractAudio = (mp4: string, wav: string) =>
  runTool(
    "ffmpeg",
    ["-nostdin", "-v", "error", "-y", "-i", mp4, "-map", "0:a:0", "-vn", "-ac", "1", "-ar", "16000", "-f", "wav", wav],
    64 * 1024
  ).pipe(
    Effect.asVoid,
    Effect.mapError(
      (error) =>
        new NotTranscribed({
          reason: /matches no streams|does not contain any stream|Output file .* does not contain/i.test(error.stderr)
            ? "no audio"
            : "engine failed",
          message: `ffmpeg: ${error.stderr || error.message}`.slice(0, 500)
        })
    )
  )

const writeFiles = (folder: string, files: ReadonlyArray<readonly [string, string]>) =>
  Effect.try({
    try: () => {
      for (const [name, text] of files) Fs.writeFileSync(Path.join(folder, name), text, { mode: 0o600 })
    },
    catch: (cause) =>
      new NotTranscribed({ reason: "engine failed", message: `the transcript could not be written: ${String(cause)}` })
  })

/** The transcript of one recording folder, written (and stored); its facts. */
const transcribeOne = (folder: string, session: string, assets: RecordingAssets) =>
  Effect.gen(function* () {
    const engine = yield* TranscriptionEngine
    const store = yield* RecordingStore
    const wav = Path.join(folder, AUDIO_FILE)
    yield* extractAudio(Path.join(folder, "recording.mp4"), wav)
    const transcript = yield* engine.transcribe(wav).pipe(
      Effect.mapError(
        (error: TranscriptNotMade) => new NotTranscribed({ reason: error.reason, message: error.message })
      ),
      Effect.ensuring(Effect.ignore(Effect.try(() => Fs.rmSync(wav, { force: true }))))
    )
    yield* writeFiles(folder, [
      [TRANSCRIPT_FILES.txt, toText(transcript)],
      [TRANSCRIPT_FILES.srt, toSrt(transcript)],
      [TRANSCRIPT_FILES.json, toJson(transcript, engine.name, assets.durationSeconds)]
    ])
    const folderKey = `recordings/${session}`
    yield* store
      .upload(folder, folderKey, Object.values(TRANSCRIPT_FILES))
      .pipe(Effect.mapError((error) => new NotTranscribed({ reason: "storage unreachable", message: error.message })))
    return {
      txtPath: `${folderKey}/${TRANSCRIPT_FILES.txt}`,
      srtPath: `${folderKey}/${TRANSCRIPT_FILES.srt}`,
      jsonPath: `${folderKey}/${TRANSCRIPT_FILES.json}`,
      engine: engine.name.slice(0, 64),
      words: transcript.words
    } satisfies TranscriptAssets
  })

/** The transcripts loop's round over the node's recordings folder. */
export const makeTranscripts = (mediaDir: string, deadlineSeconds: number) => {
  const retries = new FolderRetries()
  const recordingsDir = NginxConfig.paths(mediaDir).recordings

  return Effect.gen(function* () {
    const control = yield* MediaControl
    const store = yield* RecordingStore
    const now = yield* Clock.currentTimeMillis
    const folders = (yield* foldersWithFacts(recordingsDir)).filter(([session]) => {
      const folder = Path.join(recordingsDir, session)
      return hasMark(folder, "transcribe") && hasMark(folder, "ready-told") && !hasMark(folder, "transcribed")
    })
    retries.keepOnly(new Set(folders.map(([session]) => session)))
    for (const [session, facts] of folders) {
      if (!retries.isDue(session, now) || facts === null) continue
      const folder = Path.join(recordingsDir, session)
      const sessionId = session as SessionId
      yield* control.transcriptionStarted(sessionId)
      const outcome = yield* Effect.exit(transcribeOne(folder, session, facts))
      const told = (reason: TranscriptionFailure | null, message: string) =>
        Effect.gen(function* () {
          yield* setMark(folder, "transcribed")
          retries.forget(session)
          if (reason === null) yield* Effect.logInfo(`media: transcript of ${session} ready (${message})`)
          else yield* Effect.logWarning(`media: transcript of ${session} failed: ${reason} (${message})`)
          if (store.storage._tag === "S3") yield* removeFolder(folder)
        })
      if (outcome._tag === "Success") {
        yield* control.transcriptionReady(sessionId, outcome.value)
        yield* told(null, `${outcome.value.words} words`)
        continue
      }
      const failure = outcome.cause.reasons.find((reason) => reason._tag === "Fail")
      const error =
        failure?._tag === "Fail"
          ? failure.error
          : new NotTranscribed({ reason: "engine failed", message: "interrupted" })
      const retryable = error.reason === "engine unreachable" || error.reason === "storage unreachable"
      if (retryable && retries.failingFor(session, now) < deadlineSeconds * 1000) {
        const count = retries.failed(session, now, true)
        yield* Effect.logWarning(`media: transcript of ${session} not made (attempt ${count}): ${error.message}`)
        continue
      }
      yield* control.transcriptionFailed(sessionId, error.reason)
      yield* told(error.reason, error.message)
    }
  }).pipe(
    // Not told this round (the control plane was unreachable): the folder stays for the next one.
    Effect.catch((error) => Effect.logWarning(`media: transcripts paused this round: ${error.message}`))
  )
}
