/**
 * Rules that every aggregate shares. Rules of one aggregate live beside its decider.
 */
import { Schema } from "effect"
import { Timestamp } from "./Time.ts"

/**
 * A command may not go back in time: an aggregate's history is ordered, and durations (ingest seconds,
 * session minutes) are differences of its timestamps.
 */
export class CommandOutOfOrder extends Schema.TaggedError<CommandOutOfOrder>()("CommandOutOfOrder", {
  aggregate: Schema.Literals([
    "livestream",
    "session",
    "ingest",
    "meeting",
    "mediaNode",
    "recording",
    "appSettings",
    "restreamTarget"
  ]),
  id: Schema.String,
  at: Timestamp,
  lastChangedAt: Timestamp
}) {}
