/**
 * What the request guard checks of a request's input before its route sees it: the body's limit, and no
 * NUL and no lone surrogate in a JSON body (keys included, nested at most `MAX_DEPTH` deep), the path or
 * the query. Each refusal is a 400 (or 413) naming the field at fault.
 */
import { Config, Effect, Schema } from "effect"
import type { HttpServerRequest } from "effect/http"
import { bodyTooLarge, failure } from "./GuardResponses.ts"

/** The request-body limit in bytes, from `ONAIR_MAX_BODY_BYTES` (default 1 MiB, 1 KiB to 64 MiB). */
export const MaxBodyBytesConfig = Config.schema(
  Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1024, maximum: 64 * 1024 * 1024 }))),
  "ONAIR_MAX_BODY_BYTES"
).pipe(Config.withDefault(1024 * 1024))

/** How deep a JSON body may nest: far past any of the API's bodies, far short of a stack's depth. */
export const MAX_DEPTH = 32

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
export const inspectUrl = (url: string) => {
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
export const inspectBody = (request: HttpServerRequest.HttpServerRequest, limit: number) =>
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
