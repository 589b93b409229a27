/**
 * The bearer middleware: the request's token must be a live token. An absent or empty header reaches the
 * middleware as an empty credential and is refused like a wrong one.
 */
import { Effect, Layer, Redacted } from "effect"
import { Authorization, Caller, unauthorized } from "@onair/http-api"
import { AccessTokens } from "@onair/application"

export const AuthorizationLive = Layer.effect(
  Authorization,
  Effect.gen(function* () {
    const tokens = yield* AccessTokens
    return Authorization.of({
      bearer: Effect.fn(function* (httpEffect, { credential }) {
        const token = yield* tokens.verify(Redacted.value(credential))
        if (token === undefined) return yield* unauthorized("a valid token is required: Authorization: Bearer <token>")
        return yield* Effect.provideService(httpEffect, Caller, token)
      })
    })
  })
)
