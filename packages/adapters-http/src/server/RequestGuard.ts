/**
 * What every request of the API's server goes through before and after its route, so that no input can
 * reach a 5xx, a half-written change or a response outside the envelope:
 *
 * - a request id, answered as `x-request-id` on every response and logged with every 500 and its cause;
 * - a body limit (`ONAIR_MAX_BODY_BYTES`, default 1 MiB): a declared length over it is a 413 before a
 *   byte is read, and reading stops at the limit for a body without one (413 too); a JSON body is read
 *   and inspected here, any other by its route (within the same limit, or a lower one of its own);
 * - strings: a JSON body, the query and the path may hold no NUL and no lone surrogate, anywhere, keys
 *   included; JSON nests at most `MAX_DEPTH` deep. A 400 names the field at fault;
 * - the envelope: a decoding failure answers `invalid_<where>` naming the field (`SchemaErrors`), and any
 *   other 4xx or 5xx that comes without `{"success": false, "errors": […]}` (the router's 404 and 405, a
 *   415, a 413) gets one;
 * - a request log (`ONAIR_HTTP_LOG`) that names the path without its query string;
 * - read-your-writes across replicas: an answer after a write carries the log position it reached
 *   (`onair-log-position`); a request that carries one and a live API token (or the admin token) waits (up
 *   to `POSITION_WAIT`) until this replica's read models include it, then answers as any other (503 if they
 *   do not get there in time). Without a credential the server takes, it does not wait: its route answers.
 *
 * Oversized headers never reach a route: Node answers them itself, and `clientErrorResponse` is what it
 * answers (431 or 400, in the envelope).
 *
 * Each job is a module of its own: `InputChecks` (limits and strings), `ReadPosition` (read-your-writes),
 * `GuardResponses` (the envelope); this one puts them around every route.
 */
import { sameSecret } from "@onair/secrets"
import { AccessTokens, Observability, WrittenPosition } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { ByteSize, Config, Effect, Layer, Option, Redacted } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { randomUUID } from "node:crypto"
import { AdminToken } from "./AdminHandlers.ts"
import { enveloped, failure, fromCause, pathOf } from "./GuardResponses.ts"
import * as HttpMetrics from "./HttpMetrics.ts"
import { inspectBody, inspectUrl, MaxBodyBytesConfig } from "./InputChecks.ts"
import { awaitPosition, POSITION_HEADER, positionOf, type ReadModel } from "./ReadPosition.ts"

export const REQUEST_ID_HEADER = "x-request-id"

const BODYLESS = new Set(["GET", "HEAD", "OPTIONS"])

const REQUEST_ID_ANNOTATION = "request_id"

export const layer = Layer.unwrap(
  Effect.gen(function* () {
    const limit = yield* MaxBodyBytesConfig
    const logRequests = yield* Config.Boolean("ONAIR_HTTP_LOG").pipe(Config.withDefault(false))
    const jsonLogs = (yield* Observability.LogFormat) === "json"
    const maxBodySize = ByteSize.bytes(limit)
    // The catalog holds every read model the API answers from (tokens and webhook endpoints included).
    const readModels: ReadonlyArray<ReadModel> = Option.toArray(yield* Effect.serviceOption(CatalogReads))
    const tokens = yield* Effect.serviceOption(AccessTokens)
    const adminToken = Option.flatten(yield* Effect.serviceOption(AdminToken))
    /** Whether the request's bearer is a live API token or the admin token. */
    const authenticated = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<boolean> => {
      const bearer = /^Bearer (.+)$/.exec(request.headers["authorization"] ?? "")?.[1]
      if (bearer === undefined) return Effect.succeed(false)
      if (Option.isSome(adminToken) && sameSecret(bearer, Redacted.value(adminToken.value))) return Effect.succeed(true)
      return Option.isNone(tokens)
        ? Effect.succeed(false)
        : Effect.map(tokens.value.verify(bearer), (token) => token !== undefined)
    }
    // Written with combinators, not a generator: this runs around every request, the hottest reads included.
    return HttpRouter.middleware(
      (httpEffect) =>
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
          const requestId = randomUUID()
          const started = performance.now()
          const written = { transaction: 0 }
          const matched = { route: HttpMetrics.UNMATCHED }
          const position = positionOf(request)
          const handled = httpEffect.pipe(
            Effect.catchCause((cause) => fromCause(cause, request, requestId, limit)),
            Effect.provideService(WrittenPosition, written),
            Effect.provideService(HttpMetrics.MatchedRoute, matched)
          )
          // Only a caller this server knows waits: anyone else is answered (401) at once, and cannot hold
          // a request open for the wait's length.
          const route =
            position === undefined || typeof position !== "number"
              ? handled
              : Effect.flatMap(authenticated(request), (known) =>
                  !known
                    ? handled
                    : Effect.flatMap(awaitPosition(readModels, position), (reached) =>
                        reached
                          ? handled
                          : Effect.succeed(
                              failure(
                                503,
                                "unavailable",
                                `this replica has not reached log position ${position} yet; retry`
                              )
                            )
                      )
                )
          const refused = inspectUrl(request.url) ?? (typeof position === "object" ? position : undefined)
          const answered =
            refused !== undefined
              ? Effect.succeed(refused)
              : BODYLESS.has(request.method)
                ? route
                : Effect.flatMap(inspectBody(request, limit), (refused) =>
                    refused === undefined ? route : Effect.succeed(refused)
                  )
          const finished = Effect.flatMap(answered, (response) => enveloped(response, request, requestId)).pipe(
            Effect.map((response) => {
              const withId = HttpServerResponse.setHeader(response, REQUEST_ID_HEADER, requestId)
              return written.transaction > 0
                ? HttpServerResponse.setHeader(withId, POSITION_HEADER, String(written.transaction))
                : withId
            })
          )
          const measured = Effect.map(finished, (response) => {
            HttpMetrics.record(request.method, matched.route, response.status, (performance.now() - started) / 1000)
            return response
          })
          const logged = logRequests
            ? Effect.tap(measured, (response) =>
                Effect.logInfo(
                  `${request.method} ${pathOf(request.url)} ${response.status} ${Math.round(performance.now() - started)} ms ${requestId}`
                )
              )
            : measured
          // With JSON logs, every log written while answering names the request (`request_id`).
          const annotated = jsonLogs ? Effect.annotateLogs(logged, REQUEST_ID_ANNOTATION, requestId) : logged
          return BODYLESS.has(request.method)
            ? annotated
            : Effect.provideService(annotated, HttpIncomingMessage.MaxBodySize, maxBodySize)
        }),
      { global: true }
    )
  })
)

export { clientErrorResponse, envelopeFor } from "./GuardResponses.ts"
export { badText, inspectJson, MAX_DEPTH, MaxBodyBytesConfig } from "./InputChecks.ts"
export { POSITION_HEADER, POSITION_WAIT } from "./ReadPosition.ts"
