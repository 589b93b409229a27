/**
 * Static bodies compressed once, when they are loaded, and sent gzipped to clients that take it (`vary:
 * accept-encoding`), plain otherwise: the dashboard's build and the API reference's renderer.
 */
import { type HttpServerRequest, HttpServerResponse } from "effect/http"
import * as Zlib from "node:zlib"

export interface Precompressed {
  readonly body: Uint8Array
  /** Undefined when compressing would not pay (small or already compressed bodies). */
  readonly gzipped: Uint8Array | undefined
}

/** Bodies below this are sent as they are. */
const MIN_BYTES = 1024

export const precompress = (body: Uint8Array, compressible: boolean): Precompressed => ({
  body,
  gzipped: compressible && body.byteLength > MIN_BYTES ? Zlib.gzipSync(body, { level: 9 }) : undefined
})

/** The body as `request` takes it, with its content type and `headers`. */
export const respond = (
  request: HttpServerRequest.HttpServerRequest,
  file: Precompressed,
  contentType: string,
  headers: Readonly<Record<string, string>>
) => {
  const gzip = file.gzipped !== undefined && /\bgzip\b/.test(request.headers["accept-encoding"] ?? "")
  return HttpServerResponse.uint8Array(gzip ? file.gzipped! : file.body, {
    contentType,
    headers: { ...headers, vary: "accept-encoding", ...(gzip ? { "content-encoding": "gzip" } : {}) }
  })
}
