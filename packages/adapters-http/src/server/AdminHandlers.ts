/**
 * The admin endpoints and their bearer check: the request's token must equal the admin token, compared in
 * constant time. With no admin token configured every call is refused.
 */
import { originMetadata, type Timestamp, toIso } from "@onair/core"
import { Config, Context, Effect, Layer, Option, Redacted } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { createHash, timingSafeEqual } from "node:crypto"
import { AdminAuthorization, AdminCaller } from "../api/AdminApi.ts"
import { notFound, unauthorized } from "../api/Envelope.ts"
import { OnAirApi } from "../api/OnAirApi.ts"
import { AccessTokens } from "@onair/application"
import { now, settle } from "./Requests.ts"

const digest = (text: string) => createHash("sha256").update(text).digest()

/** The admin token, if the deployment has one. */
export class AdminToken extends Context.Service<AdminToken, Option.Option<Redacted.Redacted>>()(
  "@onair/adapters-http/AdminToken"
) {
  /** From `ONAIR_ADMIN_TOKEN`; unset or empty: none. */
  static readonly fromEnv = Layer.effect(
    AdminToken,
    Effect.gen(function*() {
      const token = yield* Config.option(Config.Redacted("ONAIR_ADMIN_TOKEN"))
      return Option.filter(token, (value) => Redacted.value(value).length > 0)
    })
  )

  static readonly given = (token: string) => Layer.succeed(AdminToken)(Option.some(Redacted.make(token)))
}

export const adminAuthorization = (adminToken: Option.Option<Redacted.Redacted>) =>
  Layer.succeed(AdminAuthorization)(AdminAuthorization.of({
    adminBearer: Effect.fn(function*(httpEffect, { credential }) {
      if (Option.isNone(adminToken)) return yield* unauthorized("the admin endpoints are off: ONAIR_ADMIN_TOKEN is not set")
      // Compare digests: equal lengths, constant time, whatever was sent.
      if (!timingSafeEqual(digest(Redacted.value(credential)), digest(Redacted.value(adminToken.value)))) {
        return yield* unauthorized("the admin token is required")
      }
      return yield* Effect.provideService(httpEffect, AdminCaller, { admin: true })
    })
  }))

export const AdminHandlers = HttpApiBuilder.group(
  OnAirApi,
  "admin",
  Effect.fn(function*(handlers) {
    const tokens = yield* AccessTokens
    const metadata = (at: Timestamp) => originMetadata(`admin:${crypto.randomUUID()}`, "admin", at)
    return handlers
      .handle("createToken", ({ params, payload }) =>
        Effect.gen(function*() {
          const at = yield* now
          const issued = yield* tokens.issue(
            { accountId: params.account_id, appIds: payload.apps ?? [], label: payload.label ?? null },
            metadata(at)
          ).pipe(settle)
          const token = issued.accessToken
          return {
            success: true as const,
            data: {
              id: token.id,
              token: issued.token,
              account_id: token.accountId,
              apps: token.appIds,
              label: token.label,
              created_at: toIso(token.issuedAt)
            }
          }
        }))
      .handle("revokeToken", ({ params }) =>
        Effect.gen(function*() {
          const at = yield* now
          yield* tokens.revoke(params.token_id, metadata(at)).pipe(
            Effect.catchTag("AccessTokenNotFound", () => Effect.fail(notFound(`token ${params.token_id}`))),
            Effect.catchTag("AccessTokenAlreadyRevoked", () => Effect.void),
            settle
          )
          return { success: true as const, data: { message: `token ${params.token_id} is revoked` } }
        }))
  })
)

/** The admin handlers with their bearer check configured from the environment. */
export const AdminLive = Layer.unwrap(Effect.gen(function*() {
  const adminToken = yield* AdminToken
  return AdminHandlers.pipe(Layer.provide(adminAuthorization(adminToken)))
}))
