import { Schema } from "effect"

/** Another writer kept changing a stream this command reads, through every retry. */
export class CommandConflict extends Schema.TaggedError<CommandConflict>()("CommandConflict", {
  stream: Schema.String,
  attempts: Schema.Int
}) {}
