/**
 * What turns a recording's audio (16 kHz mono WAV) into text with times, chosen by the environment:
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `ONAIR_TRANSCRIPTION_ENGINE` | `local` | `local`: pocketsphinx (Debian's `pocketsphinx`, `pocketsphinx-en-us`); `http`: a speech server |
 * | `ONAIR_TRANSCRIPTION_URL` | (none) | the HTTP engine's base URL: it is sent `POST <url>/v1/audio/transcriptions` (OpenAI-compatible) |
 * | `ONAIR_TRANSCRIPTION_MODEL` | `whisper-1` | the model the HTTP engine is asked for |
 * | `ONAIR_TRANSCRIPTION_API_KEY` | (none) | sent as `Authorization: Bearer …` to the HTTP engine |
 * | `ONAIR_TRANSCRIPTION_TIMEOUT_SECONDS` | `600` | how long the HTTP engine has for one recording |
 *
 * The HTTP engine's URL is the operator's (a speech server they run), not a user's.
 */
import { Config, Context, Data, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { runTool } from "./ToolRun.ts"

/** One stretch of speech, in seconds from the recording's start. */
export interface TranscriptSegment {
  readonly start: number
  readonly end: number
  readonly text: string
}

export interface Transcript {
  readonly text: string
  readonly segments: ReadonlyArray<TranscriptSegment>
  readonly words: number
}

/** The engine did not answer (`unreachable`) or answered nothing usable (`failed`). */
export class TranscriptNotMade extends Data.TaggedError("TranscriptNotMade")<{
  readonly reason: "engine failed" | "engine unreachable"
  readonly message: string
}> {}

/** pocketsphinx's fillers and sentence marks, which are not words. */
const NOT_WORDS = /^(<s>|<\/s>|<sil>|\[.*\]|\(NULL\))$/
/** A pause this long (seconds) ends a segment, as does a segment this long. */
const PAUSE_SECONDS = 0.8
const MAX_SEGMENT_SECONDS = 7

/**
 * pocketsphinx's `-time yes` lines (`word start end probability`) as segments: words joined until a pause
 * or a long segment; alternative pronunciations (`word(2)`) named by their word.
 */
export const segmentsOfTimedWords = (output: string): ReadonlyArray<TranscriptSegment> => {
  const segments: Array<{ start: number; end: number; words: Array<string> }> = []
  for (const line of output.split("\n")) {
    const fields = line.trim().split(/\s+/)
    if (fields.length !== 4) continue
    const [word, startText, endText] = fields as [string, string, string, string]
    const start = Number(startText)
    const end = Number(endText)
    if (!Number.isFinite(start) || !Number.isFinite(end) || NOT_WORDS.test(word)) continue
    const last = segments.at(-1)
    const clean = word.replace(/\(\d+\)$/, "")
    if (last === undefined || start - last.end > PAUSE_SECONDS || end - last.start > MAX_SEGMENT_SECONDS) {
      segments.push({ start, end, words: [clean] })
    } else {
      last.end = end
      last.words.push(clean)
    }
  }
  return segments.map((segment) => ({ start: segment.start, end: segment.end, text: segment.words.join(" ") }))
}

const transcriptOf = (segments: ReadonlyArray<TranscriptSegment>): Transcript => {
  const text = segments
    .map((segment) => segment.text.trim())
    .filter((line) => line !== "")
    .join(" ")
  return { text, segments, words: text === "" ? 0 : text.split(/\s+/).length }
}

const MAX_OUTPUT = 64 * 1024 * 1024

export class TranscriptionEngine extends Context.Service<
  TranscriptionEngine,
  {
    /** Its name in the transcript's facts: `pocketsphinx`, or the HTTP engine's model. */
    readonly name: string
    readonly transcribe: (wav: string) => Effect.Effect<Transcript, TranscriptNotMade>
  }
>()("@onair/adapters-media/TranscriptionEngine") {
  /** pocketsphinx with Debian's US English model, on this machine. */
  static readonly local = Layer.succeed(TranscriptionEngine)(
    TranscriptionEngine.of({
      name: "pocketsphinx",
      transcribe: (wav) =>
        runTool("pocketsphinx_continuous", ["-infile", wav, "-time", "yes", "-logfn", "/dev/null"], MAX_OUTPUT).pipe(
          Effect.map((stdout) => transcriptOf(segmentsOfTimedWords(stdout))),
          Effect.mapError(
            (error) =>
              new TranscriptNotMade({
                reason: error.code === "ENOENT" ? "engine unreachable" : "engine failed",
                message: `pocketsphinx_continuous: ${error.message}`.slice(0, 500)
              })
          )
        )
    })
  )

  /** An OpenAI-compatible `/v1/audio/transcriptions` endpoint, asked for `verbose_json` (segments with times). */
  static readonly http = (settings: {
    readonly url: string
    readonly model: string
    readonly apiKey: Redacted.Redacted<string> | null
    readonly timeout: Duration.Duration
  }) =>
    Layer.succeed(TranscriptionEngine)(
      TranscriptionEngine.of({
        name: settings.model,
        transcribe: (wav) =>
          Effect.gen(function* () {
            const audio = yield* Effect.try({
              try: () => Fs.readFileSync(wav),
              catch: (cause) => new TranscriptNotMade({ reason: "engine failed", message: String(cause) })
            })
            const form = new FormData()
            form.set("file", new Blob([audio], { type: "audio/wav" }), Path.basename(wav))
            form.set("model", settings.model)
            form.set("response_format", "verbose_json")
            const endpoint = `${settings.url.replace(/\/+$/, "")}/v1/audio/transcriptions`
            const answer = yield* Effect.tryPromise({
              try: (signal) =>
                fetch(endpoint, {
                  method: "POST",
                  body: form,
                  signal,
                  headers:
                    settings.apiKey === null ? {} : { authorization: `Bearer ${Redacted.value(settings.apiKey)}` }
                }).then((response) => response.text().then((body) => ({ status: response.status, body }))),
              catch: (cause) =>
                new TranscriptNotMade({ reason: "engine unreachable", message: `${endpoint}: ${String(cause)}` })
            }).pipe(
              Effect.timeoutOrElse({
                duration: settings.timeout,
                orElse: () =>
                  Effect.fail(
                    new TranscriptNotMade({ reason: "engine unreachable", message: `${endpoint}: no answer in time` })
                  )
              })
            )
            if (answer.status >= 500 || answer.status === 429) {
              return yield* new TranscriptNotMade({
                reason: "engine unreachable",
                message: `${endpoint} answered ${answer.status}`
              })
            }
            if (answer.status >= 300) {
              return yield* new TranscriptNotMade({
                reason: "engine failed",
                message: `${endpoint} answered ${answer.status}: ${answer.body.slice(0, 300)}`
              })
            }
            const decoded = Schema.decodeUnknownExit(Schema.fromJsonString(VerboseTranscription))(answer.body)
            if (decoded._tag === "Failure") {
              return yield* new TranscriptNotMade({
                reason: "engine failed",
                message: `${endpoint} answered no transcription`
              })
            }
            const segments = decoded.value.segments ?? [
              { start: 0, end: decoded.value.duration ?? 0, text: decoded.value.text }
            ]
            return transcriptOf(
              segments.map((segment) => ({ start: segment.start, end: segment.end, text: segment.text.trim() }))
            )
          })
      })
    )

  static readonly fromEnv = Layer.unwrap(
    Effect.gen(function* () {
      const engine = yield* Config.Literals(["local", "http"], "ONAIR_TRANSCRIPTION_ENGINE").pipe(
        Config.withDefault("local" as const)
      )
      if (engine === "local") return TranscriptionEngine.local
      const url = yield* Config.String("ONAIR_TRANSCRIPTION_URL")
      const apiKey = yield* Config.option(Config.Redacted("ONAIR_TRANSCRIPTION_API_KEY"))
      return TranscriptionEngine.http({
        url,
        model: yield* Config.String("ONAIR_TRANSCRIPTION_MODEL").pipe(Config.withDefault("whisper-1")),
        apiKey: Option.getOrNull(apiKey),
        timeout: Duration.seconds(
          yield* Config.Int("ONAIR_TRANSCRIPTION_TIMEOUT_SECONDS").pipe(Config.withDefault(600))
        )
      })
    })
  )
}

/** What OpenAI-compatible servers answer for `response_format=verbose_json`. */
const VerboseTranscription = Schema.Struct({
  text: Schema.String,
  duration: Schema.optional(Schema.Number),
  segments: Schema.optional(
    Schema.Array(Schema.Struct({ start: Schema.Number, end: Schema.Number, text: Schema.String }))
  )
})
