/**
 * A livestream's restream targets: reads from the catalog, changes through each target's command path.
 * A URL must pass the outbound address rules (`RestreamUrlCheck`); a livestream takes at most 10 targets.
 */
import { awaitReadModel, RestreamCommands } from "@onair/application"
import { CatalogReads, type RelayProgress, RestreamReads, type Scope } from "@onair/catalog"
import {
  type LivestreamId,
  MAX_RESTREAM_TARGETS,
  originMetadata,
  type RestreamTarget,
  RestreamTargetId,
  RestreamUrlCheck,
  toIso
} from "@onair/core"
import { Clock, Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { randomBytes } from "node:crypto"
import { badRequest, conflict, notFound, OnAirApi } from "@onair/http-api"
import { authorizeLivestream, now, settle } from "./Requests.ts"

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
const newTargetId = () =>
  RestreamTargetId.make(`rs_${Array.from(randomBytes(24), (b) => ALPHABET[b % ALPHABET.length]).join("")}`)

/**
 * What the record shows of a target's key: its last 4 characters when it has more than 8, and nothing of
 * a shorter one (4 of 8 or fewer would give half of it or all of it away).
 */
export const lastFourOf = (streamKey: string): string => (streamKey.length > 8 ? streamKey.slice(-4) : "")

const STATUS = {
  Idle: "idle",
  Connecting: "connecting",
  Live: "live",
  Retrying: "retrying",
  Failed: "failed",
  Stopped: "stopped"
} as const

export const restreamRecord = (target: RestreamTarget, progress: RelayProgress | undefined, now: number) => {
  const relay = target.relay
  const session = relay._tag === "Idle" ? null : relay.sessionId
  const sampled = progress !== undefined && progress.sessionId === session ? progress : undefined
  return {
    id: target.id,
    livestream_id: target.livestreamId,
    name: target.name,
    url: target.url,
    stream_key_last4: lastFourOf(target.streamKey),
    enabled: target.enabled,
    verify_tls: target.verifyTls,
    status: STATUS[relay._tag],
    session_id: session,
    attempt: relay._tag === "Connecting" || relay._tag === "Retrying" ? relay.attempt : null,
    retry_at: relay._tag === "Retrying" ? toIso(relay.retryAt) : null,
    reason: relay._tag === "Failed" || relay._tag === "Stopped" ? relay.reason : null,
    last_error: target.lastError === null ? null : { reason: target.lastError.reason, at: toIso(target.lastError.at) },
    live_since: target.liveSince === null ? null : toIso(target.liveSince),
    uptime_seconds:
      relay._tag === "Live" && target.liveSince !== null
        ? Math.max(0, Math.floor((now - target.liveSince) / 1000))
        : null,
    progress:
      sampled === undefined
        ? null
        : {
            bytes: sampled.bytes,
            bitrate_kbps: sampled.bitrateKbps,
            frames: sampled.frames,
            speed: sampled.speed,
            sampled_at: new Date(sampled.sampledAt).toISOString()
          },
    created_at: toIso(target.createdAt),
    updated_at: toIso(target.updatedAt)
  }
}

/** The name a target gets when none is given: its URL's host. */
const hostOf = (url: string) => /^rtmps?:\/\/([^/:]+|\[[^\]]+\])/.exec(url)?.[1] ?? "restream"

export const RestreamsHandlers = HttpApiBuilder.group(
  OnAirApi,
  "restreams",
  Effect.fn(function* (handlers) {
    const catalog = yield* CatalogReads
    const reads = yield* RestreamReads
    const commands = yield* RestreamCommands
    const urls = yield* RestreamUrlCheck

    const targetOf = (scope: Scope, livestreamId: LivestreamId, id: string) =>
      Effect.flatMap(reads.target(scope, livestreamId, id), (target) =>
        target === undefined ? Effect.fail(notFound(`restream target ${id}`)) : Effect.succeed(target)
      )
    const checkUrl = (url: string | undefined) =>
      url === undefined
        ? Effect.void
        : Effect.mapError(urls.check(url), (refused) => badRequest("invalid_parameter", `url: ${refused.message}`))
    /** The targets' records, with their relays' latest progress. */
    const records = (targets: ReadonlyArray<RestreamTarget>) =>
      Effect.gen(function* () {
        const progress = yield* reads.progressOf(targets.map((target) => target.id))
        const at = yield* Clock.currentTimeMillis
        return targets.map((target) => restreamRecord(target, progress.get(target.id), at))
      })
    const record = (target: RestreamTarget) => Effect.map(records([target]), (found) => found[0]!)
    const refusals = {
      CommandOutOfOrder: () =>
        Effect.fail(conflict("out_of_order", "the target changed after this request's time; try again")),
      RestreamTargetDeleted: () => Effect.fail(notFound("restream target")),
      RestreamTargetNotFound: () => Effect.fail(notFound("restream target"))
    } as const

    return handlers
      .handle("getRestreams", ({ params }) =>
        Effect.gen(function* () {
          const { scope, livestream } = yield* authorizeLivestream(params)
          return {
            success: true as const,
            data: { restreams: yield* records(yield* reads.targetsOf(scope, livestream.id)) }
          }
        })
      )
      .handle("createRestream", ({ params, payload }) =>
        Effect.gen(function* () {
          const { token, scope, livestream } = yield* authorizeLivestream(params)
          yield* checkUrl(payload.url)
          if ((yield* reads.targetsOf(scope, livestream.id)).length >= MAX_RESTREAM_TARGETS) {
            return yield* conflict(
              "too_many_restream_targets",
              `a livestream has at most ${MAX_RESTREAM_TARGETS} restream targets`
            )
          }
          const at = yield* now
          const targetId = newTargetId()
          const decided = yield* commands
            .handle(
              {
                _tag: "CreateRestreamTarget",
                targetId,
                at,
                livestreamId: livestream.id,
                accountId: scope.accountId,
                appId: scope.appId,
                url: payload.url,
                streamKey: payload.stream_key,
                name: payload.name ?? hostOf(payload.url),
                enabled: payload.enabled ?? true,
                verifyTls: payload.verify_tls ?? true
              },
              originMetadata(`restream:${targetId}:create`, `token:${token.id}`, at)
            )
            .pipe(awaitReadModel(catalog), Effect.catchTags(refusals), settle)
          return { success: true as const, data: yield* record(decided.state!) }
        })
      )
      .handle("getRestream", ({ params }) =>
        Effect.gen(function* () {
          const { scope, livestream } = yield* authorizeLivestream(params)
          return {
            success: true as const,
            data: yield* record(yield* targetOf(scope, livestream.id, params.restream_id))
          }
        })
      )
      .handle("updateRestream", ({ params, payload }) =>
        Effect.gen(function* () {
          const { token, scope, livestream } = yield* authorizeLivestream(params)
          const target = yield* targetOf(scope, livestream.id, params.restream_id)
          yield* checkUrl(payload.url)
          const at = yield* now
          const decided = yield* commands
            .handle(
              {
                _tag: "UpdateRestreamTarget",
                targetId: target.id,
                at,
                ...(payload.url === undefined ? {} : { url: payload.url }),
                ...(payload.stream_key === undefined ? {} : { streamKey: payload.stream_key }),
                ...(payload.name === undefined ? {} : { name: payload.name }),
                ...(payload.enabled === undefined ? {} : { enabled: payload.enabled }),
                ...(payload.verify_tls === undefined ? {} : { verifyTls: payload.verify_tls })
              },
              originMetadata(`restream:${target.id}:update:${crypto.randomUUID()}`, `token:${token.id}`, at)
            )
            .pipe(awaitReadModel(catalog), Effect.catchTags(refusals), settle)
          return { success: true as const, data: yield* record(decided.state ?? target) }
        })
      )
      .handle("deleteRestream", ({ params }) =>
        Effect.gen(function* () {
          const { token, scope, livestream } = yield* authorizeLivestream(params)
          const target = yield* targetOf(scope, livestream.id, params.restream_id)
          const at = yield* now
          yield* commands
            .handle(
              { _tag: "DeleteRestreamTarget", targetId: target.id, at },
              originMetadata(`restream:${target.id}:delete`, `token:${token.id}`, at)
            )
            .pipe(awaitReadModel(catalog), Effect.catchTags(refusals), settle)
          return { success: true as const, data: { message: `restream target ${target.id} is deleted` } }
        })
      )
  })
)
