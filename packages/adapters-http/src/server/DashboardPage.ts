/**
 * `/dashboard`: the operator dashboard's built files (`@onair/dashboard`, built by Vite at setup), served
 * by this process. The files are read once when the server starts (a build is about a megabyte); hashed
 * assets are cached for a year, the page itself is revalidated. The page talks only to the public API.
 * Its headers keep it from being framed, sniffed or leaking its URL, and its policy lets scripts and
 * styles come from this origin alone. Requests and media may also go to other http(s) origins: a
 * livestream's playback URL names its media node or a CDN, known only at run time (hls.js fetches it and
 * plays from `blob:` media sources in a worker).
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { Context, Effect, Layer } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { type Precompressed, precompress, respond } from "./Precompressed.ts"

/** Where the built dashboard is; undefined when this process serves none. */
export class DashboardFiles extends Context.Service<DashboardFiles, { readonly directory: string | undefined }>()(
  "@onair/adapters-http/DashboardFiles"
) {
  static readonly none = Layer.succeed(DashboardFiles)({ directory: undefined })
  static readonly at = (directory: string) => Layer.succeed(DashboardFiles)({ directory })
}

/** More than a build could be: a folder this large is not the dashboard's. */
const MAX_TOTAL_BYTES = 32 * 1024 * 1024

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".woff2": "font/woff2"
}

export const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "content-security-policy": [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: http: https:",
    "worker-src 'self' blob:",
    "connect-src 'self' http: https:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'"
  ].join("; ")
}

/** A file of the build, gzipped once when text (hls.js and React: 1 MB to 0.3 MB). */
interface File extends Precompressed {
  readonly type: string
  readonly immutable: boolean
}

const COMPRESSIBLE = /^(text\/|application\/(json|manifest\+json)|image\/svg)/

/** Every file under `directory`, by its path relative to it (`index.html`, `assets/…`). */
const readBuild = (directory: string): Map<string, File> => {
  const files = new Map<string, File>()
  let total = 0
  const walk = (relative: string) => {
    for (const entry of Fs.readdirSync(Path.join(directory, relative), { withFileTypes: true })) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile() && !entry.name.startsWith(".")) {
        const body = Fs.readFileSync(Path.join(directory, path))
        total += body.byteLength
        if (total > MAX_TOTAL_BYTES)
          throw new Error(`${directory} holds more than ${MAX_TOTAL_BYTES} bytes: not a dashboard build`)
        const type = TYPES[Path.extname(entry.name)] ?? "application/octet-stream"
        files.set(path, {
          ...precompress(body, COMPRESSIBLE.test(type)),
          type,
          // Vite names what it builds by content: such a file never changes under its name.
          immutable: path.startsWith("assets/")
        })
      }
    }
  }
  walk("")
  return files
}

const serve = (request: HttpServerRequest.HttpServerRequest, file: File) =>
  respond(request, file, file.type, {
    ...SECURITY_HEADERS,
    "cache-control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache"
  })

const notBuilt = HttpServerResponse.jsonUnsafe(
  {
    success: false,
    errors: [
      {
        code: "dashboard_not_built",
        message: "the dashboard is not built here: run scripts/setup.sh (it builds packages/dashboard)"
      }
    ]
  },
  { status: 503 }
)

export const layer = Layer.unwrap(
  Effect.gen(function* () {
    const { directory } = yield* DashboardFiles
    const files =
      directory !== undefined && Fs.existsSync(Path.join(directory, "index.html")) ? readBuild(directory) : undefined
    const index = files?.get("index.html")
    const answer = Effect.gen(function* () {
      if (files === undefined || index === undefined) return notBuilt
      const request = yield* HttpServerRequest.HttpServerRequest
      const pathname = new URL(request.url, "http://x").pathname
      // `/dashboard` itself: the page's relative links need the slash.
      if (pathname === "/dashboard")
        return HttpServerResponse.empty({ status: 308, headers: { location: "/dashboard/" } })
      const path = pathname.replace(/^\/dashboard\//, "")
      if (path === "") return serve(request, index)
      // Only names the build holds answer: nothing outside the folder can be named.
      const file = files.get(path)
      return file === undefined ? HttpServerResponse.empty({ status: 404 }) : serve(request, file)
    })
    // The wildcard takes `/dashboard` too.
    return HttpRouter.add("GET", "/dashboard/*", answer)
  })
)
