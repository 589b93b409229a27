/**
 * Bearer tokens. The middleware finds the caller's token; each handler then checks that the token grants
 * the account and app in the path (answering 404 otherwise, so ids of other accounts leak nothing).
 */
import type { AccessToken } from "@onair/core"
import { Context } from "effect"
import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"
import { Unauthorized } from "./Envelope.ts"

/** The token of the request being served. */
export class Caller extends Context.Service<Caller, AccessToken>()("@onair/adapters-http/Caller") {}

export class Authorization extends HttpApiMiddleware.Service<Authorization, { provides: Caller; requires: never }>()(
  "@onair/adapters-http/Authorization",
  {
    requiredForClient: true,
    security: { bearer: HttpApiSecurity.bearer },
    error: Unauthorized
  }
) {}
