/**
 * A recording's files as HTTP answers: a file from disk with byte ranges (`Range: bytes=…`, one range per
 * request, as players and download tools ask), and a VOD playlist whose segment lines are rewritten into
 * links of their own (each segment needs its own signature, as the playlist had).
 */
import { Effect } from "effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { contentTypeOf } from "./RecordingStore.ts"

export const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-allow-headers": "range",
  "access-control-expose-headers": "content-length, content-range, accept-ranges"
}

/** A failure as the API's envelope, with its status. */
export const failure = (status: number, code: string, message: string) =>
  HttpServerResponse.jsonUnsafe({ success: false, errors: [{ code, message }] }, { status, headers: CORS })

export type ByteRange = { readonly start: number; readonly end: number } | "whole" | "unsatisfiable"

/**
 * The one range a `Range` header asks of a file of `size` bytes: `whole` without one (or for several
 * ranges, or another unit: the whole file is a valid answer to those), `unsatisfiable` past the end.
 */
export const byteRange = (header: string | undefined, size: number): ByteRange => {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? "")
  if (match === null) return "whole"
  const [, first, last] = match
  if (first === "" && last === "") return "whole"
  if (first === "") {
    const suffix = Number(last)
    if (suffix === 0) return "unsatisfiable"
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  if (start >= size) return "unsatisfiable"
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1)
  return end < start ? "unsatisfiable" : { start, end }
}

/** `file` from disk, whole or the range asked; 404 when it is not there. */
export const serveFile = (file: string, cacheSeconds: number) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const size = yield* Effect.try(() => Fs.statSync(file)).pipe(
      Effect.map((stats) => (stats.isFile() ? stats.size : null)),
      Effect.orElseSucceed(() => null)
    )
    if (size === null) return failure(404, "not_found", `no file ${Path.basename(file)} in this recording`)
    const headers = { ...CORS, "accept-ranges": "bytes", "cache-control": `private, max-age=${cacheSeconds}` }
    const range = byteRange(request.headers["range"], size)
    if (range === "unsatisfiable") {
      return HttpServerResponse.empty({ status: 416, headers: { ...headers, "content-range": `bytes */${size}` } })
    }
    const contentType = contentTypeOf(file)
    if (range === "whole") return yield* HttpServerResponse.file(file, { contentType, headers })
    return yield* HttpServerResponse.file(file, {
      status: 206,
      contentType,
      offset: range.start,
      bytesToRead: range.end - range.start + 1,
      headers: { ...headers, "content-range": `bytes ${range.start}-${range.end}/${size}` }
    })
  }).pipe(Effect.catch(() => Effect.succeed(failure(404, "not_found", "the file could not be read"))))

/** A playlist with every URI line (a segment, relative to the playlist's folder) replaced by `link`. */
export const rewritePlaylist = (text: string, link: (segment: string) => string): string =>
  text
    .split("\n")
    .map((line) => {
      const trimmed = line.trim()
      return trimmed === "" || trimmed.startsWith("#") ? line : link(trimmed)
    })
    .join("\n")

export const playlistResponse = (text: string) =>
  HttpServerResponse.text(text, {
    contentType: "application/vnd.apple.mpegurl",
    headers: { ...CORS, "cache-control": "private, max-age=60" }
  })
