/**
 * Admin endpoints, for the operator rather than for apps: making apps (with an id of the operator's choice,
 * for apps carried over from elsewhere), making and revoking API tokens (naming apps that exist), and the media
 * nodes (listed with their state and load, drained and resumed). Only the admin token
 * (`ONAIR_ADMIN_TOKEN`) may call them.
 */
import { AccessTokenId, AccessTokenLabel, AccountId, AppId, AppName, MediaNodeId } from "@onair/core"
import { Context, Schema } from "effect"
import {
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSchema,
  HttpApiSecurity,
  OpenApi
} from "effect/http-api"
import { AppRecord } from "./AppsApi.ts"
import { BadRequest, Conflict, NotFound, Ok, Unauthorized } from "./Envelope.ts"

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
  /** The apps the token may act on (each must exist); absent or empty: every app of the account. */
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

export const CreateAppAsAdminBody = Schema.Struct({
  name: AppName,
  /** The app's id; a new UUID when absent. */
  id: Schema.optional(AppId)
})

/** One media node as the operator sees it. */
export const MediaNodeRecord = Schema.Struct({
  id: Schema.String,
  /** `active`, `draining` (takes no new publishers), `offline` (its lease ran out or was given up) or `lost`. */
  status: Schema.Literals(["active", "draining", "offline", "lost"]),
  boot_id: Schema.String,
  region: Schema.NullOr(Schema.String),
  capacity: Schema.Int,
  rtmp_url: Schema.String,
  rtmps_url: Schema.NullOr(Schema.String),
  playback_url: Schema.String,
  /** Connections the control plane holds as live on the node. */
  streams: Schema.Int,
  /** The machine's CPU in use, 0–1 of all its cores, at the last heartbeat. */
  cpu: Schema.NullOr(Schema.Number),
  /** Bits per second from publishers and to players, at the last heartbeat. */
  bandwidth_in: Schema.NullOr(Schema.Number),
  bandwidth_out: Schema.NullOr(Schema.Number),
  /** Cores left for meeting composers at the last heartbeat (0 without them); null before one said. */
  composer_room: Schema.NullOr(Schema.Number),
  registered_at: Schema.String,
  heartbeat_at: Schema.NullOr(Schema.String),
  lease_expires_at: Schema.NullOr(Schema.String)
})

const nodeParams = { params: { node_id: MediaNodeId } }

/** A place in the log, `<transaction>.<sequence>`, as the feed's `next_cursor` gives it. */
const LogCursor = Schema.String.pipe(Schema.check(Schema.isPattern(/^\d{1,15}\.\d{1,15}$/)))
const FeedLimit = Schema.NumberFromString.pipe(
  Schema.decodeTo(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))))
)

/** One media node event from the log. */
export const MediaNodeEventRecord = Schema.Struct({
  id: Schema.String,
  /** `MediaNodeRegistered`, `MediaNodeDrained`, `MediaNodeResumed` or `MediaNodeLost`. */
  type: Schema.String,
  node_id: Schema.String,
  at: Schema.String,
  data: Schema.Unknown
})

export class AdminApi extends HttpApiGroup.make("admin")
  .add(
    HttpApiEndpoint.post("createAppAsAdmin", "/admin/accounts/:account_id/apps", {
      params: { account_id: AccountId },
      payload: CreateAppAsAdminBody,
      success: Ok(Schema.Struct({ app: AppRecord })).pipe(HttpApiSchema.status(201)),
      error: [BadRequest, Conflict]
    }),
    HttpApiEndpoint.post("createToken", "/admin/accounts/:account_id/tokens", {
      params: { account_id: AccountId },
      payload: CreateTokenBody,
      success: Ok(CreatedToken).pipe(HttpApiSchema.status(201)),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.delete("revokeToken", "/admin/tokens/:token_id", {
      params: { token_id: AccessTokenId },
      success: Ok(Schema.Struct({ message: Schema.String })),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.get("listMediaNodes", "/admin/media-nodes", {
      success: Ok(Schema.Struct({ media_nodes: Schema.Array(MediaNodeRecord) }))
    }),
    HttpApiEndpoint.get("getMediaNodeEvents", "/admin/media-nodes/events", {
      query: { after: Schema.optional(LogCursor), limit: Schema.optional(FeedLimit) },
      success: Ok(Schema.Struct({ events: Schema.Array(MediaNodeEventRecord), next_cursor: Schema.String })),
      error: [BadRequest]
    }),
    HttpApiEndpoint.post("drainMediaNode", "/admin/media-nodes/:node_id/drain", {
      ...nodeParams,
      success: Ok(MediaNodeRecord),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.post("resumeMediaNode", "/admin/media-nodes/:node_id/resume", {
      ...nodeParams,
      success: Ok(MediaNodeRecord),
      error: [BadRequest, NotFound]
    })
  )
  .middleware(AdminAuthorization)
  .annotateMerge(
    OpenApi.annotations({ title: "Admin", description: "Tokens and media nodes; ONAIR_ADMIN_TOKEN only" })
  ) {}
