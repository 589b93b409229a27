/**
 * One error per rule a session command can break.
 */
import { Schema } from "effect"
import { SessionId } from "../Ids.ts"

export class SessionAlreadyExists extends Schema.TaggedError<SessionAlreadyExists>()("SessionAlreadyExists", {
  sessionId: SessionId
}) {}

export class SessionNotFound extends Schema.TaggedError<SessionNotFound>()("SessionNotFound", {
  sessionId: SessionId
}) {}

export class SessionAlreadyStopped extends Schema.TaggedError<SessionAlreadyStopped>()("SessionAlreadyStopped", {
  sessionId: SessionId
}) {}

export class MediaAlreadyConnected extends Schema.TaggedError<MediaAlreadyConnected>()("MediaAlreadyConnected", {
  sessionId: SessionId
}) {}

export class MediaNotConnected extends Schema.TaggedError<MediaNotConnected>()("MediaNotConnected", {
  sessionId: SessionId
}) {}

/** Viewers can only have watched a session that had media. */
export class SessionNeverStarted extends Schema.TaggedError<SessionNeverStarted>()("SessionNeverStarted", {
  sessionId: SessionId
}) {}

export type SessionError =
  | SessionAlreadyExists
  | SessionNotFound
  | SessionAlreadyStopped
  | MediaAlreadyConnected
  | MediaNotConnected
  | SessionNeverStarted
