/**
 * The admin endpoints and their bearer check: the request's token must equal the admin token, compared in
 * constant time. With no admin token configured every call is refused.
 */
import { sameSecret } from "@onair/secrets"
import {
  EventStore,
  formatPosition,
  LOG_START,
  MEDIA_NODE_CATEGORY,
  type MediaNodeId,
  originMetadata,
  parsePosition,
  type Timestamp,
  toIso
} from "@onair/core"
import { Config, Context, Effect, Layer, Option, Redacted } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AdminAuthorization, AdminCaller, conflict, notFound, OnAirApi, unauthorized } from "@onair/http-api"
import { appRecord } from "./AppsHandlers.ts"
import { KnownApps } from "./KnownApps.ts"
import { AccessTokens, awaitReadModel, MediaNodeCommands } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { holdsLease, type MediaNodeEntry, MediaNodeRegistry } from "@onair/coordination"
import { now, settle } from "./Requests.ts"

/** The admin token, if the deployment has one. */
export class AdminToken extends Context.Service<AdminToken, Option.Option<Redacted.Redacted>>()(
  "@onair/adapters-http/AdminToken"
) {
  /** From `ONAIR_ADMIN_TOKEN`; unset or empty: none. */
  static readonly fromEnv = Layer.effect(
    AdminToken,
    Effect.gen(function* () {
      const token = yield* Config.option(Config.Redacted("ONAIR_ADMIN_TOKEN"))
      return Option.filter(token, (value) => Redacted.value(value).length > 0)
    })
  )

  static readonly given = (token: string) => Layer.succeed(AdminToken)(Option.some(Redacted.make(token)))
}

export const adminAuthorization = (adminToken: Option.Option<Redacted.Redacted>) =>
  Layer.succeed(AdminAuthorization)(
    AdminAuthorization.of({
      adminBearer: Effect.fn(function* (httpEffect, { credential }) {
        if (Option.isNone(adminToken))
          return yield* unauthorized("the admin endpoints are off: ONAIR_ADMIN_TOKEN is not set")
        if (!sameSecret(Redacted.value(credential), Redacted.value(adminToken.value))) {
          return yield* unauthorized("the admin token is required")
        }
        return yield* Effect.provideService(httpEffect, AdminCaller, { admin: true })
      })
    })
  )

/** A media node as the admin list shows it, its lease judged at `at`. */
const mediaNodeRecord = (entry: MediaNodeEntry, at: number) => ({
  id: entry.node.id,
  status: entry.status === "lost" ? ("lost" as const) : holdsLease(entry, at) ? entry.status : ("offline" as const),
  boot_id: entry.node.bootId,
  region: entry.node.region,
  capacity: entry.node.capacity,
  rtmp_url: entry.node.addresses.rtmp,
  rtmps_url: entry.node.addresses.rtmps,
  playback_url: entry.node.addresses.playback,
  streams: entry.connected,
  cpu: entry.load?.cpu ?? null,
  bandwidth_in: entry.load?.bandwidthIn ?? null,
  bandwidth_out: entry.load?.bandwidthOut ?? null,
  composer_room: entry.load?.composerRoom ?? null,
  registered_at: toIso(entry.node.registeredAt),
  heartbeat_at: entry.heartbeatAt === null ? null : toIso(entry.heartbeatAt as Timestamp),
  lease_expires_at: entry.leaseExpiresAt === null ? null : toIso(entry.leaseExpiresAt as Timestamp)
})

export const AdminHandlers = HttpApiBuilder.group(
  OnAirApi,
  "admin",
  Effect.fn(function* (handlers) {
    const tokens = yield* AccessTokens
    const registry = yield* MediaNodeRegistry
    const nodeCommands = yield* MediaNodeCommands
    const catalog = yield* CatalogReads
    const store = yield* EventStore
    const apps = yield* KnownApps
    /** The node's record now, or 404. */
    const nodeRecord = (nodeId: string) =>
      Effect.gen(function* () {
        const at = yield* now
        const entry = (yield* registry.nodes).find((node) => node.node.id === nodeId)
        if (entry === undefined) return yield* Effect.fail(notFound(`media node ${nodeId}`))
        return mediaNodeRecord(entry, at)
      })
    /** Drains or resumes a node, answering once the catalog has it (the next publish sees it). */
    const setDraining = (nodeId: MediaNodeId, drain: boolean) =>
      Effect.gen(function* () {
        const at = yield* now
        yield* nodeCommands
          .handle(
            drain ? { _tag: "DrainMediaNode", nodeId, at } : { _tag: "ResumeMediaNode", nodeId, at },
            metadata(at)
          )
          .pipe(
            awaitReadModel(catalog),
            Effect.catchTag("MediaNodeNotFound", () => Effect.fail(notFound(`media node ${nodeId}`))),
            settle
          )
        return { success: true as const, data: yield* nodeRecord(nodeId) }
      })
    const metadata = (at: Timestamp) => originMetadata(`admin:${crypto.randomUUID()}`, "admin", at)
    return handlers
      .handle("createAppAsAdmin", ({ params, payload }) =>
        Effect.gen(function* () {
          const at = yield* now
          const app = yield* apps
            .create(params.account_id, payload.name, payload.id, metadata(at))
            .pipe(
              Effect.catchTag("AppAlreadyExists", (taken) =>
                Effect.fail(conflict("app_exists", `app ${taken.appId} already exists in account ${taken.accountId}`))
              )
            )
          return { success: true as const, data: { app: appRecord(app) } }
        })
      )
      .handle("createToken", ({ params, payload }) =>
        Effect.gen(function* () {
          const at = yield* now
          const missing = yield* apps.missing(params.account_id, payload.apps ?? [])
          if (missing.length > 0) return yield* notFound(`app ${missing.join(", ")} of account ${params.account_id}`)
          const issued = yield* tokens
            .issue(
              { accountId: params.account_id, appIds: payload.apps ?? [], label: payload.label ?? null },
              metadata(at)
            )
            .pipe(settle)
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
        })
      )
      .handle("revokeToken", ({ params }) =>
        Effect.gen(function* () {
          const at = yield* now
          yield* tokens.revoke(params.token_id, metadata(at)).pipe(
            Effect.catchTag("AccessTokenNotFound", () => Effect.fail(notFound(`token ${params.token_id}`))),
            Effect.catchTag("AccessTokenAlreadyRevoked", () => Effect.void),
            settle
          )
          return { success: true as const, data: { message: `token ${params.token_id} is revoked` } }
        })
      )
      .handle("listMediaNodes", () =>
        Effect.gen(function* () {
          const at = yield* now
          const nodes = yield* registry.nodes
          return { success: true as const, data: { media_nodes: nodes.map((entry) => mediaNodeRecord(entry, at)) } }
        })
      )
      .handle("getMediaNodeEvents", ({ query }) =>
        Effect.gen(function* () {
          const from = query.after === undefined ? LOG_START : (parsePosition(query.after) ?? LOG_START)
          const read = yield* store
            .readAll(from, query.limit ?? 100, { category: MEDIA_NODE_CATEGORY })
            .pipe(Effect.orDie)
          return {
            success: true as const,
            data: {
              events: read.events.map((event) => {
                const data = event.data as { readonly nodeId?: string; readonly at?: number }
                return {
                  id: event.id,
                  type: event.type,
                  node_id: data.nodeId ?? event.stream.slice(MEDIA_NODE_CATEGORY.length + 1),
                  at: toIso((data.at ?? event.recordedAt) as Timestamp),
                  data: event.data
                }
              }),
              next_cursor: formatPosition(read.next)
            }
          }
        })
      )
      .handle("drainMediaNode", ({ params }) => setDraining(params.node_id, true))
      .handle("resumeMediaNode", ({ params }) => setDraining(params.node_id, false))
  })
)

/** The admin handlers with their bearer check configured from the environment. */
export const AdminLive = Layer.unwrap(
  Effect.gen(function* () {
    const adminToken = yield* AdminToken
    return AdminHandlers.pipe(Layer.provide(adminAuthorization(adminToken)))
  })
)
