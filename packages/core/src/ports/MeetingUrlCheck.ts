/**
 * Whether a meeting's composer may open a page: the same address rules as webhooks (a public host,
 * unless the operator admits it in `ONAIR_OUTBOUND_ALLOWLIST`). Implemented with the one guarded outbound
 * client; the composer's browser is held to the same rules for every request the page makes.
 */
import { Context, type Effect, Schema } from "effect"

/** The page is not one a composer may open: it says why. */
export class MeetingUrlRefused extends Schema.TaggedError<MeetingUrlRefused>()("MeetingUrlRefused", {
  message: Schema.String
}) {}

export class MeetingUrlCheck extends Context.Service<
  MeetingUrlCheck,
  {
    /** The URL as it will be opened, or why not. */
    readonly check: (url: string) => Effect.Effect<string, MeetingUrlRefused>
  }
>()("@onair/core/MeetingUrlCheck") {}
