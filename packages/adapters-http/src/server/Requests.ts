/**
 * What every handler needs around a command: the caller's scope check, the instant, new ids, metadata for
 * the append, and the status of each domain error.
 */
import {
  type AccessToken,
  type AccountId,
  type AppendMetadata,
  type AppId,
  grants,
  type LivestreamId,
  originMetadata,
  type Timestamp
} from "@onair/core"
import { type CommandConflict, currentTimestamp } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { Effect, type Schema } from "effect"
import { HttpServerResponse } from "effect/http"
import { BadRequest, badRequest, Caller, Conflict, conflict, NotFound, notFound, Unauthorized } from "@onair/http-api"
import { KnownApps } from "./KnownApps.ts"

/**
 * The caller's token, if it grants this account and app and the app exists; 404 otherwise (nothing about
 * others leaks).
 */
export const authorize = (params: { readonly account_id: AccountId; readonly app_id: AppId }) =>
  Effect.gen(function* () {
    const token: AccessToken = yield* Caller
    if (!grants(token, params.account_id, params.app_id))
      return yield* notFound(`app ${params.app_id} of account ${params.account_id}`)
    const scope = { accountId: params.account_id, appId: params.app_id }
    yield* (yield* KnownApps).ensure(token, scope)
    return { token, scope }
  })

/** The caller's token and scope, and the livestream of the path in that scope; 404 otherwise. */
export const authorizeLivestream = (params: {
  readonly account_id: AccountId
  readonly app_id: AppId
  readonly livestream_id: LivestreamId
}) =>
  Effect.gen(function* () {
    const access = yield* authorize(params)
    const livestream = yield* (yield* CatalogReads).livestream(access.scope, params.livestream_id)
    if (livestream === undefined) return yield* notFound(`livestream ${params.livestream_id}`)
    return { ...access, livestream }
  })

export const now = currentTimestamp

/** Metadata for an append made on behalf of a token. */
export const metadataFor = (token: AccessToken, at: Timestamp): AppendMetadata =>
  originMetadata(`http:${crypto.randomUUID()}`, token.id, at)

export const conflictFrom = (error: CommandConflict) =>
  conflict("concurrent_change", `${error.stream} kept changing; try again`)

type ApiFailure = BadRequest | NotFound | Conflict | Unauthorized

const isApiFailure = (error: unknown): error is ApiFailure =>
  error instanceof BadRequest || error instanceof NotFound || error instanceof Conflict || error instanceof Unauthorized

const isCommandConflict = (error: unknown): error is CommandConflict =>
  typeof error === "object" && error !== null && (error as { readonly _tag?: unknown })._tag === "CommandConflict"

/**
 * A command's remaining errors once the endpoint has turned the domain errors it answers into API
 * failures: those pass, a conflict that outlasted the retries is a 409, and anything else (the store
 * failing) is the server's fault.
 */
export const settle = <A, E, R>(
  command: Effect.Effect<A, E, R>
): Effect.Effect<A, Extract<E, ApiFailure> | Conflict, R> =>
  Effect.catch(command, (error) => {
    if (isApiFailure(error)) return Effect.fail(error as Extract<E, ApiFailure>)
    if (isCommandConflict(error)) return Effect.fail(conflictFrom(error))
    return Effect.die(error)
  })

const UNIX_SECONDS = /^\d{1,12}(\.\d{1,3})?$/

/**
 * A time parameter (ISO-8601, or Unix seconds as the current RealtimeKit clients send) as epoch ms,
 * undefined when absent; a 400 naming it when it is no time.
 */
export const timeParam = (field: string, value: string | undefined) => {
  if (value === undefined) return Effect.succeed(undefined)
  const at = UNIX_SECONDS.test(value) ? Math.round(Number(value) * 1000) : Date.parse(value)
  return Number.isNaN(at)
    ? Effect.fail(badRequest("invalid_query_parameter", `${field}: not a time (ISO-8601, or Unix seconds)`))
    : Effect.succeed(at)
}

/**
 * A success answered as JSON without the HTTP API layer encoding it again: for hot reads whose records
 * are built by the core's views and are already their schemas' encoded form (the tests decode them with
 * those schemas). The body is still checked against the schema's type when compiling.
 */
export const preEncoded = <S extends Schema.Top>(_schema: S, body: S["Type"]) => HttpServerResponse.jsonUnsafe(body)
