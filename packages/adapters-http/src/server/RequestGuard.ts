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
 */
import { sameSecret } from "@onair/secrets"
import { AccessTokens, Observability, WrittenPosition } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { ByteSize, Cause, Config, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerError, HttpServerRequest, HttpServerResponse } from "effect/http"
import { HttpApiError } from "effect/http-api"
import { randomUUID } from "node:crypto"
import { errorEnvelope } from "@onair/http-api"
import { AdminToken } from "./AdminHandlers.ts"
import * as HttpMetrics from "./HttpMetrics.ts"
import * as SchemaErrors from "./SchemaErrors.ts"

/** The request-body limit in bytes, from `ONAIR_MAX_BODY_BYTES` (default 1 MiB, 1 KiB to 64 MiB). */
export const MaxBodyBytesConfig = Config.schema(
  Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1024, maximum: 64 * 1024 * 1024 }))),
  "ONAIR_MAX_BODY_BYTES"
).pipe(Config.withDefault(1024 * 1024))

/** How deep a JSON body may nest: far past any of the API's bodies, far short of a stack's depth. */
export const MAX_DEPTH = 32

export const REQUEST_ID_HEADER = "x-request-id"
export const POSITION_HEADER = "onair-log-position"
/** How long a request waits for this replica's read models to reach the position it carries. */
export const POSITION_WAIT = Duration.seconds(5)

const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  406: "not_acceptable",
  408: "request_timeout",
  409: "conflict",
  410: "gone",
  411: "length_required",
  413: "payload_too_large",
  414: "uri_too_long",
  415: "unsupported_media_type",
  422: "unprocessable",
  429: "too_many_requests",
  431: "request_header_fields_too_large",
  500: "internal_error",
  501: "not_implemented",
  502: "bad_gateway",
  503: "unavailable",
  504: "gateway_timeout"
}

/** The envelope for a status that came without one. */
export const envelopeFor = (status: number, message: string) =>
  errorEnvelope(CODE_BY_STATUS[status] ?? (status >= 500 ? "internal_error" : "invalid_request"), message)

const failure = (status: number, code: string, message: string) =>
  HttpServerResponse.jsonUnsafe(errorEnvelope(code, message), { status })

/** The 413 for a body that passed the limit while it was read. */
const bodyTooLarge = (limit: number) =>
  failure(413, "payload_too_large", `the body is larger than the limit of ${limit} bytes`)

/** What is wrong with one string, or undefined: NUL, or a UTF-16 surrogate without its pair. */
export const badText = (text: string): string | undefined => {
  if (text.includes("\u0000")) return "must not contain NUL (\\u0000)"
  if (!text.isWellFormed()) return "must be valid Unicode (it holds a lone surrogate)"
  return undefined
}

const joinPath = (path: string, key: string | number) => (path === "" ? String(key) : `${path}.${key}`)

/**
 * The first problem in a parsed JSON value, with the path of the field at fault. Iterative, so no input
 * can exhaust the stack.
 */
export const inspectJson = (value: unknown): { readonly field: string; readonly message: string } | undefined => {
  const pending: Array<{ readonly value: unknown; readonly path: string; readonly depth: number }> = [
    { value, path: "", depth: 0 }
  ]
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!
    if (typeof value === "string") {
      const problem = badText(value)
      if (problem !== undefined) return { field: path, message: problem }
    } else if (typeof value === "object" && value !== null) {
      if (depth >= MAX_DEPTH) return { field: path, message: `nests deeper than ${MAX_DEPTH} levels` }
      if (Array.isArray(value)) {
        for (const [index, item] of value.entries())
          pending.push({ value: item, path: joinPath(path, index), depth: depth + 1 })
      } else {
        for (const [key, item] of Object.entries(value)) {
          const problem = badText(key)
          if (problem !== undefined) return { field: joinPath(path, "(key)"), message: `a key ${problem}` }
          pending.push({ value: item, path: joinPath(path, key), depth: depth + 1 })
        }
      }
    }
  }
  return undefined
}

/** The first problem in the path or the query, as a 400, or undefined. */
const inspectUrl = (url: string) => {
  // Node refuses control characters in the request line, so NUL and surrogates arrive percent-encoded only.
  if (!url.includes("%")) return undefined
  const [rawPath = "", query = ""] = url.split("?", 2)
  for (const segment of rawPath.split("/")) {
    let decoded: string
    try {
      decoded = decodeURIComponent(segment)
    } catch {
      return failure(
        400,
        "invalid_path_parameter",
        `path segment ${JSON.stringify(segment.slice(0, 64))}: not valid percent-encoded UTF-8`
      )
    }
    const problem = badText(decoded)
    if (problem !== undefined) return failure(400, "invalid_path_parameter", `path: ${problem}`)
  }
  let params: URLSearchParams
  try {
    params = new URLSearchParams(query)
  } catch {
    return failure(400, "invalid_query_parameter", "query: not a valid query string")
  }
  for (const [name, value] of params) {
    const problem = badText(name) ?? badText(value)
    if (problem !== undefined) {
      return failure(400, "invalid_query_parameter", `${badText(name) === undefined ? name : "(name)"}: ${problem}`)
    }
  }
  return undefined
}

const isJson = (contentType: string | undefined) => contentType !== undefined && /[/+]json\b/i.test(contentType)

/** The body checked as the rules say; a response when it is refused, undefined when it passes. */
const inspectBody = (request: HttpServerRequest.HttpServerRequest, limit: number) =>
  Effect.gen(function* () {
    const declared = request.headers["content-length"]
    if (declared !== undefined && Number(declared) > limit) {
      return failure(413, "payload_too_large", `the body is ${declared} bytes; the limit is ${limit}`)
    }
    if (declared === undefined && request.headers["transfer-encoding"] === undefined) return undefined
    // Only a JSON body is inspected here. Any other (an SDP offer, say) is read by its route, within the
    // same limit or its own lower one, and after its own cheaper checks: a body too large for it is
    // refused by its declared length without a byte read.
    if (!isJson(request.headers["content-type"])) return undefined
    // Read once, within the limit; the route reads the same cached text.
    const text = yield* Effect.result(request.text)
    if (text._tag === "Failure") {
      const tooLarge = text.failure.reason._tag === "RequestParseError" && text.failure.reason.reason === "BodyTooLarge"
      return tooLarge ? bodyTooLarge(limit) : failure(400, "invalid_body", "the body could not be read")
    }
    if (text.success === "") return undefined
    let parsed: unknown
    try {
      parsed = JSON.parse(text.success)
    } catch {
      // Not JSON: the route's own decoding says so, in its words.
      return undefined
    }
    const problem = inspectJson(parsed)
    if (problem === undefined) return undefined
    const field = problem.field.length > 120 ? `${problem.field.slice(0, 117)}...` : problem.field
    return failure(400, "invalid_body", `${field === "" ? "body" : field}: ${problem.message}`)
  })

/** The response's JSON body when it is already the failure envelope. */
const hasEnvelope = (response: HttpServerResponse.HttpServerResponse): boolean => {
  const body = response.body
  if (body._tag !== "Uint8Array") return false
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body.body)) as {
      readonly success?: unknown
      readonly errors?: unknown
    }
    return parsed.success === false && Array.isArray(parsed.errors)
  } catch {
    return false
  }
}

/** A failure cause as a response: the router's and the body reader's own, a decoding failure, or a 500. */
const fromCause = (
  cause: Cause.Cause<unknown>,
  request: HttpServerRequest.HttpServerRequest,
  requestId: string,
  limit: number
) => {
  for (const reason of cause.reasons) {
    const error = Cause.isFailReason(reason) ? reason.error : Cause.isDieReason(reason) ? reason.defect : undefined
    if (HttpApiError.HttpApiSchemaError.is(error)) {
      return Effect.succeed(HttpServerResponse.jsonUnsafe(SchemaErrors.describe(error), { status: 400 }))
    }
    if (error instanceof HttpServerError.HttpServerError) {
      const why = error.reason
      if (why._tag === "RouteNotFound") {
        return Effect.succeed(failure(404, "not_found", `no route for ${request.method} ${pathOf(request.url)}`))
      }
      if (why._tag === "RequestParseError") {
        return Effect.succeed(
          why.reason === "BodyTooLarge"
            ? bodyTooLarge(limit)
            : failure(400, "invalid_body", "the body could not be read")
        )
      }
    }
  }
  if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
  return Effect.as(
    Effect.logError(`request ${requestId} failed: ${request.method} ${pathOf(request.url)}`, cause),
    failure(500, "internal_error", `the server failed on this request; it is logged as ${requestId}`)
  )
}

const pathOf = (url: string) => (url.split("?", 1)[0] ?? "").slice(0, 256)

/** A failure answered without the envelope gets one (and a 5xx is logged under the request id). */
const enveloped = (
  response: HttpServerResponse.HttpServerResponse,
  request: HttpServerRequest.HttpServerRequest,
  requestId: string
) => {
  if (response.status < 400 || hasEnvelope(response)) return Effect.succeed(response)
  const status = response.status
  const replaced = HttpServerResponse.jsonUnsafe(
    envelopeFor(
      status,
      status >= 500
        ? `the server failed on this request; it is logged as ${requestId}`
        : `${status} for ${request.method} ${pathOf(request.url)}`
    ),
    { status, headers: response.headers }
  )
  return status >= 500
    ? Effect.as(
        Effect.logError(`request ${requestId} answered ${status}: ${request.method} ${pathOf(request.url)}`),
        replaced
      )
    : Effect.succeed(replaced)
}

const BODYLESS = new Set(["GET", "HEAD", "OPTIONS"])

/** The read models this process answers from, as far as something can wait for them. */
interface ReadModel {
  readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
}

/** Waits until every read model includes `transaction`; false on time-out. */
const awaitPosition = (readModels: ReadonlyArray<ReadModel>, transaction: number) =>
  Effect.map(
    Effect.timeoutOption(
      Effect.forEach(readModels, (model) => model.awaitTransaction(transaction), { discard: true }),
      POSITION_WAIT
    ),
    Option.isSome
  )

/** The position a request asks to read from: a transaction number, absent, or a 400 when it is none. */
const positionOf = (request: HttpServerRequest.HttpServerRequest) => {
  const given = request.headers[POSITION_HEADER]
  if (given === undefined) return undefined
  return /^\d{1,19}$/.test(given)
    ? Number(given)
    : failure(400, "invalid_header", `${POSITION_HEADER}: a log position as this API answered it (digits)`)
}

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

/** Node's answer to a request it could not parse (headers too large, a malformed request line). */
export const clientErrorResponse = (code: string | undefined): string => {
  const status = code === "HPE_HEADER_OVERFLOW" ? 431 : 400
  const body = JSON.stringify(
    envelopeFor(status, status === 431 ? "the request's headers are too large" : "the request could not be parsed")
  )
  const reason = status === 431 ? "Request Header Fields Too Large" : "Bad Request"
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
}
