/**
 * Admin endpoints, for the operator rather than for apps: making and revoking API tokens. Only the admin
 * token (`ONAIR_ADMIN_TOKEN`) may call them.
 */
import { AccessTokenId, AccessTokenLabel, AccountId, AppId } from "@onair/core"
import { Context, Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware, HttpApiSchema, HttpApiSecurity, OpenApi } from "effect/http-api"
import { BadRequest, NotFound, Ok, Unauthorized } from "./Envelope.ts"

export class AdminCaller extends Context.Service<AdminCaller, { readonly admin: true }>()(
  "@onair/adapters-http/AdminCaller"
) {}

export class AdminAuthorization extends HttpApiMiddleware.Service<
  AdminAuthorization,
  { provides: AdminCaller; requires: never }
>()("@onair/adapters-http/AdminAuthorization", {
  requiredForClient: true,
  security: { adminBearer: HttpApiSecurity.bearer },
  error: Unauthorized
}) {}

/** A token names at most this many apps; one for more apps is a token for the whole account. */
export const MAX_TOKEN_APPS = 100

export const CreateTokenBody = Schema.Struct({
  /** The apps the token may act on; absent or empty: every app of the account. */
  apps: Schema.optional(Schema.Array(AppId).pipe(Schema.check(Schema.isMaxLength(MAX_TOKEN_APPS)))),
  label: Schema.optional(Schema.NullOr(AccessTokenLabel))
})

export const CreatedToken = Schema.Struct({
  id: AccessTokenId,
  /** The whole token: shown this once, stored only as a hash. */
  token: Schema.String,
  account_id: AccountId,
  apps: Schema.Array(AppId),
  label: Schema.NullOr(Schema.String),
  created_at: Schema.String
})

export class AdminApi extends HttpApiGroup.make("admin")
  .add(
    HttpApiEndpoint.post("createToken", "/admin/accounts/:account_id/tokens", {
      params: { account_id: AccountId },
      payload: CreateTokenBody,
      success: Ok(CreatedToken).pipe(HttpApiSchema.status(201)),
      error: [BadRequest]
    }),
    HttpApiEndpoint.delete("revokeToken", "/admin/tokens/:token_id", {
      params: { token_id: AccessTokenId },
      success: Ok(Schema.Struct({ message: Schema.String })),
      error: [BadRequest, NotFound]
    })
  )
  .middleware(AdminAuthorization)
  .annotateMerge(OpenApi.annotations({ title: "Admin", description: "Tokens; ONAIR_ADMIN_TOKEN only" }))
{}
