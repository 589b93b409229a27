/**
 * Whether OnAir may send a broadcast on to a restream URL: the same address rules as webhooks (a public
 * host, unless the operator admits it in `ONAIR_OUTBOUND_ALLOWLIST`). Implemented by the media adapter
 * with the one guarded outbound client.
 */
import { Context, type Effect, Schema } from "effect"

/** The URL is not one OnAir may send to: it says why. */
export class RestreamUrlRefused extends Schema.TaggedError<RestreamUrlRefused>()("RestreamUrlRefused", {
  message: Schema.String
}) {}

export class RestreamUrlCheck extends Context.Service<
  RestreamUrlCheck,
  {
    readonly check: (url: string) => Effect.Effect<void, RestreamUrlRefused>
  }
>()("@onair/core/RestreamUrlCheck") {}
