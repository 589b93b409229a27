import { Schema } from "effect"

/** The URL, or an address it resolves to, is not one OnAir may send to (it says why). */
export class OutboundRefused extends Schema.TaggedError<OutboundRefused>()("OutboundRefused", {
  message: Schema.String
}) {}

/** The request was sent (or tried) and did not get an answer: no route, refused, reset, timed out. */
export class OutboundFailed extends Schema.TaggedError<OutboundFailed>()("OutboundFailed", {
  message: Schema.String
}) {}
