/**
 * The seeds' response envelopes: `{"success": true, "data": …}` and, for failures,
 * `{"success": false, "errors": [{"code": …, "message": …}]}`. Each failure has its own status and a
 * stable code per broken rule.
 */
import { Schema } from "effect"

/** `{"success": true, "data": <data>}`. */
export const Ok = <S extends Schema.Top>(data: S) => Schema.Struct({ success: Schema.Literal(true), data })

export const Paging = Schema.Struct({
  end_offset: Schema.Int,
  start_offset: Schema.Int,
  total_count: Schema.Int
})
export type Paging = typeof Paging.Type

export const ErrorDetail = Schema.Struct({
  /** Stable, for programs: `invalid_parameter`, `not_found`, `unauthorized`, `conflict`, … */
  code: Schema.String,
  /** For people: what is wrong, naming the parameter or field at fault. */
  message: Schema.String
})
export type ErrorDetail = typeof ErrorDetail.Type

const failure = { success: Schema.Literal(false), errors: Schema.Array(ErrorDetail) }

/** 400: a parameter or body field is missing, malformed or out of range. */
export class BadRequest extends Schema.Error<BadRequest>("BadRequest")(failure, { httpApiStatus: 400 }) {}
/** 401: no token, an unknown or revoked token, or a malformed Authorization header. */
export class Unauthorized extends Schema.Error<Unauthorized>("Unauthorized")(failure, { httpApiStatus: 401 }) {}
/** 403: the token is valid but may not do this (an app-scoped token creating apps). */
export class Forbidden extends Schema.Error<Forbidden>("Forbidden")(failure, { httpApiStatus: 403 }) {}
/** 404: no such resource for this account and app (other accounts' and apps' resources included). */
export class NotFound extends Schema.Error<NotFound>("NotFound")(failure, { httpApiStatus: 404 }) {}
/** 409: the request conflicts with the resource's state, or reuses an idempotency key with another body. */
export class Conflict extends Schema.Error<Conflict>("Conflict")(failure, { httpApiStatus: 409 }) {}

/** 503: nothing can do it now (no media node has room for a meeting's composer); try again later. */
export class Unavailable extends Schema.Error<Unavailable>("Unavailable")(failure, { httpApiStatus: 503 }) {}

/** `{"success": false, "errors": [{code, message}]}`: one failure in the envelope. */
export const errorEnvelope = (code: string, message: string) => ({
  success: false as const,
  errors: [{ code, message }]
})

export const badRequest = (code: string, message: string) => new BadRequest(errorEnvelope(code, message))
export const unauthorized = (message: string) => new Unauthorized(errorEnvelope("unauthorized", message))
export const forbidden = (message: string) => new Forbidden(errorEnvelope("forbidden", message))
export const notFound = (what: string) => new NotFound(errorEnvelope("not_found", `${what} was not found`))
export const conflict = (code: string, message: string) => new Conflict(errorEnvelope(code, message))
export const unavailable = (code: string, message: string) => new Unavailable(errorEnvelope(code, message))
