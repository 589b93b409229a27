/**
 * What a finished recording is made of, and why one fails.
 */
import { Effect, Schema } from "effect"

const NonNegative = Schema.Finite.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))
const Pixels = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 16_384 })))
/** A path under the recording's storage root: no `..`, no leading slash, printable. */
const StoragePath = Schema.String.pipe(Schema.check(Schema.isPattern(/^(?!.*\.\.)[A-Za-z0-9_./-]{1,512}$/)))

/** Why a recording failed: each a rule of its own, named in `recording.failed`. */
export const RecordingFailure = Schema.Literals([
  "no media",
  "disk full",
  "finalise failed",
  "media node lost",
  "storage unreachable"
])
export type RecordingFailure = typeof RecordingFailure.Type

/** The finished files and what was read back from them. */
export const RecordingAssets = Schema.Struct({
  /** The MP4 (H.264/AAC, `+faststart`). */
  mp4Path: StoragePath,
  /** The HLS VOD playlist (`EXT-X-ENDLIST`), its segments beside it. */
  vodPath: StoragePath,
  posterPath: StoragePath,
  durationSeconds: NonNegative,
  /** Bytes of the MP4. */
  size: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0))),
  width: Pixels,
  height: Pixels,
  videoCodec: Schema.String.pipe(Schema.check(Schema.isMaxLength(32))),
  audioCodec: Schema.String.pipe(Schema.check(Schema.isMaxLength(32))),
  /** Hex SHA-256 of the MP4. */
  sha256: Schema.String.pipe(Schema.check(Schema.isPattern(/^[0-9a-f]{64}$/))),
  /** Bytes of the HLS VOD (playlist and segments); 0 in recordings made before it was counted. */
  vodSize: Schema.Int.pipe(
    Schema.check(Schema.isGreaterThanOrEqualTo(0)),
    Schema.withDecodingDefaultKey(Effect.succeed(0))
  )
})
export type RecordingAssets = typeof RecordingAssets.Type

/** Who deleted a recording. */
export const DeletedBy = Schema.Literals(["owner", "retention"])
export type DeletedBy = typeof DeletedBy.Type

/** Why a transcription failed. */
export const TranscriptionFailure = Schema.Literals([
  "no audio",
  "engine failed",
  "engine unreachable",
  "storage unreachable"
])
export type TranscriptionFailure = typeof TranscriptionFailure.Type

/** A recording's transcript files (beside its MP4) and what the engine made of it. */
export const TranscriptAssets = Schema.Struct({
  txtPath: StoragePath,
  srtPath: StoragePath,
  jsonPath: StoragePath,
  /** The engine that made it (`pocketsphinx`, or the HTTP engine's model). */
  engine: Schema.String.pipe(Schema.check(Schema.isMaxLength(64))),
  words: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))
})
export type TranscriptAssets = typeof TranscriptAssets.Type

/**
 * Where a ready recording's files are: on its media node's disk (under its media folder), or in an
 * S3-compatible bucket under a key prefix. Asset paths are relative to either root.
 */
export const RecordingStorage = Schema.TaggedUnion({
  Local: {},
  S3: {
    bucket: Schema.String.pipe(Schema.check(Schema.isPattern(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/))),
    /** Prepended to every asset path (empty, or ending with `/`). */
    keyPrefix: Schema.String.pipe(Schema.check(Schema.isPattern(/^(?:[A-Za-z0-9_./-]{0,255}\/)?$/)))
  }
})
export type RecordingStorage = typeof RecordingStorage.Type

export const LOCAL_STORAGE: RecordingStorage = { _tag: "Local" }

/** Recordings ready before storage was named were on their node's disk. */
export const StorageOfReady = RecordingStorage.pipe(Schema.withDecodingDefaultKey(Effect.succeed(LOCAL_STORAGE)))

/** A file under a recording's folder: `recording.mp4`, `poster.jpg`, `vod/index.m3u8`, `vod/<n>.ts`, … */
export const RECORDING_FILE = /^(?:[a-z0-9_-]{1,64}\/)?[a-z0-9_-]{1,64}\.[a-z0-9]{1,8}$/
