/**
 * How the request guard answers in the API's envelope: a status's code, a failure cause as a response (the
 * router's, the body reader's, a decoding failure, or a 500 logged under the request id), a 4xx or 5xx that
 * came without the envelope given one, and Node's own answer to a request it could not parse.
 */
import { Cause, Effect } from "effect"
import { HttpServerError, type HttpServerRequest, HttpServerResponse } from "effect/http"
import { HttpApiError } from "effect/http-api"
import { errorEnvelope } from "@onair/http-api"
import * as SchemaErrors from "./SchemaErrors.ts"

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

export const failure = (status: number, code: string, message: string) =>
  HttpServerResponse.jsonUnsafe(errorEnvelope(code, message), { status })

/** The 413 for a body that passed the limit while it was read. */
export const bodyTooLarge = (limit: number) =>
  failure(413, "payload_too_large", `the body is larger than the limit of ${limit} bytes`)

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
export const fromCause = (
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

export const pathOf = (url: string) => (url.split("?", 1)[0] ?? "").slice(0, 256)

/** The reason a route gave as a short plain-text body (playback's refusals name their parameter so). */
const plainReason = (response: HttpServerResponse.HttpServerResponse): string | undefined => {
  const body = response.body
  if (body._tag !== "Uint8Array" || !body.contentType.startsWith("text/plain") || body.body.length > 300) {
    return undefined
  }
  const text = new TextDecoder().decode(body.body).trim()
  return text === "" ? undefined : text
}

/**
 * A failure answered without the envelope gets one, keeping a route's plain-text reason as its message (and
 * a 5xx is logged under the request id, its body never shown).
 */
export const enveloped = (
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
        : (plainReason(response) ?? `${status} for ${request.method} ${pathOf(request.url)}`)
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

/** Node's answer to a request it could not parse (headers too large, a malformed request line). */
export const clientErrorResponse = (code: string | undefined): string => {
  const status = code === "HPE_HEADER_OVERFLOW" ? 431 : 400
  const body = JSON.stringify(
    envelopeFor(status, status === 431 ? "the request's headers are too large" : "the request could not be parsed")
  )
  const reason = status === 431 ? "Request Header Fields Too Large" : "Bad Request"
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
}
