/**
 * What a finished recording is made of, and why one fails.
 */
import { Schema } from "effect"

const NonNegative = Schema.Finite.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))
const Pixels = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 16_384 })))
/** A path under the recording's storage root: no `..`, no leading slash, printable. */
const StoragePath = Schema.String.pipe(Schema.check(Schema.isPattern(/^(?!.*\.\.)[A-Za-z0-9_.\/-]{1,512}$/)))

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
  sha256: Schema.String.pipe(Schema.check(Schema.isPattern(/^[0-9a-f]{64}$/)))
})
export type RecordingAssets = typeof RecordingAssets.Type
