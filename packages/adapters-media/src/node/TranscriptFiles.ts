/**
 * A transcript as the three files written beside its recording: `transcript.txt` (the text), `.srt`
 * (numbered cues with `HH:MM:SS,mmm` times, for players) and `.json` (the engine, the text and the
 * segments with times in seconds).
 */
import type { Transcript } from "./TranscriptionEngine.ts"

export const TRANSCRIPT_FILES = { txt: "transcript.txt", srt: "transcript.srt", json: "transcript.json" } as const

/** SRT's time: `00:01:02,345`. */
export const srtTime = (seconds: number): string => {
  const millis = Math.max(0, Math.round(seconds * 1000))
  const pad = (n: number, width = 2) => String(n).padStart(width, "0")
  return `${pad(Math.floor(millis / 3_600_000))}:${pad(Math.floor(millis / 60_000) % 60)}:${pad(Math.floor(millis / 1000) % 60)},${pad(millis % 1000, 3)}`
}

export const toSrt = (transcript: Transcript): string =>
  transcript.segments
    .filter((segment) => segment.text.trim() !== "")
    .map(
      (segment, index) =>
        `${index + 1}\n${srtTime(segment.start)} --> ${srtTime(Math.max(segment.end, segment.start))}\n${segment.text.trim()}\n`
    )
    .join("\n")

export const toText = (transcript: Transcript): string => (transcript.text === "" ? "" : `${transcript.text}\n`)

export const toJson = (transcript: Transcript, engine: string, durationSeconds: number): string =>
  `${JSON.stringify({ engine, duration: durationSeconds, words: transcript.words, text: transcript.text, segments: transcript.segments }, null, 2)}\n`
