/**
 * One error per rule a restream target command can break.
 */
import { Schema } from "effect"
import { RestreamTargetId } from "./RestreamValues.ts"

const subject = { targetId: RestreamTargetId }

export class RestreamTargetNotFound extends Schema.TaggedError<RestreamTargetNotFound>()(
  "RestreamTargetNotFound",
  subject
) {}

export class RestreamTargetAlreadyExists extends Schema.TaggedError<RestreamTargetAlreadyExists>()(
  "RestreamTargetAlreadyExists",
  subject
) {}

export class RestreamTargetDeleted extends Schema.TaggedError<RestreamTargetDeleted>()(
  "RestreamTargetDeleted",
  subject
) {}

/** A disabled target relays nothing. */
export class RestreamTargetDisabled extends Schema.TaggedError<RestreamTargetDisabled>()(
  "RestreamTargetDisabled",
  subject
) {}

/** A relay report or retry for a session the relay does not run, or in a phase that does not take it. */
export class RelayNotRunning extends Schema.TaggedError<RelayNotRunning>()("RelayNotRunning", {
  ...subject,
  phase: Schema.String
}) {}

export type RestreamError =
  | RestreamTargetNotFound
  | RestreamTargetAlreadyExists
  | RestreamTargetDeleted
  | RestreamTargetDisabled
  | RelayNotRunning
