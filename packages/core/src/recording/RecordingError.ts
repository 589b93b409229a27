/**
 * One error per rule a recording command can break.
 */
import { Schema } from "effect"
import { SessionId } from "../Ids.ts"

const subject = { recordingId: SessionId }

export class RecordingNotFound extends Schema.TaggedError<RecordingNotFound>()("RecordingNotFound", subject) {}

/** A session has one recording. */
export class RecordingAlreadyStarted extends Schema.TaggedError<RecordingAlreadyStarted>()(
  "RecordingAlreadyStarted",
  subject
) {}

/** Only what is being recorded can be finalised, and only what is being finalised can complete. */
export class RecordingNotInProgress extends Schema.TaggedError<RecordingNotInProgress>()("RecordingNotInProgress", {
  ...subject,
  phase: Schema.String
}) {}

/** A ready or failed recording stays so. */
export class RecordingAlreadySettled extends Schema.TaggedError<RecordingAlreadySettled>()("RecordingAlreadySettled", {
  ...subject,
  phase: Schema.String
}) {}

/** Its files are still being written: it can be deleted once it is ready or failed. */
export class RecordingStillInProgress extends Schema.TaggedError<RecordingStillInProgress>()(
  "RecordingStillInProgress",
  subject
) {}

export class RecordingDeleted extends Schema.TaggedError<RecordingDeleted>()("RecordingDeleted", subject) {}

/** A transcript is made of a ready recording whose app wanted one, once. */
export class TranscriptionNotWanted extends Schema.TaggedError<TranscriptionNotWanted>()("TranscriptionNotWanted", {
  ...subject,
  phase: Schema.String
}) {}

/** Only a running transcription completes or fails; a finished one stays so. */
export class TranscriptionNotRunning extends Schema.TaggedError<TranscriptionNotRunning>()("TranscriptionNotRunning", {
  ...subject,
  transcription: Schema.String
}) {}

export type RecordingError =
  | RecordingNotFound
  | RecordingAlreadyStarted
  | RecordingNotInProgress
  | RecordingAlreadySettled
  | RecordingStillInProgress
  | RecordingDeleted
  | TranscriptionNotWanted
  | TranscriptionNotRunning
