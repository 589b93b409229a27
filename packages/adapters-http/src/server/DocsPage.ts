/**
 * `/docs`: the API's reference, rendered in the browser by Scalar's API reference (`@scalar/api-reference`,
 * from npm, served from this process: nothing is loaded from elsewhere at run time) from the same OpenAPI
 * document as `/openapi.json`, with its descriptions and examples, and requests that can be tried against
 * this server with a token. Scalar's web fonts, telemetry, AI agent and hosted client are turned off, so
 * the page works offline and behind a strict firewall. The bundle (4.8 MB) is read and gzipped once, when
 * the server's routes are built (not when the module loads: the CLIs load it too), and sent gzipped to
 * browsers that take it.
 */
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { type Precompressed, precompress, respond } from "./Precompressed.ts"

const require = createRequire(import.meta.url)

/** The renderer's browser bundle, as installed from npm (beside its module build, which the package exports). */
const BUNDLE = Path.join(Path.dirname(require.resolve("@scalar/api-reference")), "browser", "standalone.js")

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // Scalar puts its styles in style elements and its examples in blob: URLs; scripts only from here.
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
}

export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>OnAir API reference</title>
</head><body>
<noscript>The reference needs JavaScript; the document itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<div id="reference"></div>
<script src="/docs/assets/scalar.js"></script>
<script src="/docs/assets/reference.js"></script>
</body></html>`

/**
 * Scalar's settings: this server's document and origin; nothing that reaches outside. (The mount point is not
 * `#api-reference`: the bundle mounts a second, default reference of its own on an element with that id.)
 */
export const START = `Scalar.createApiReference("#reference", ${JSON.stringify({
  url: "/openapi.json",
  withDefaultFonts: false,
  telemetry: false,
  hideClientButton: true,
  persistAuth: false,
  showDeveloperTools: "never",
  agent: { disabled: true },
  documentDownloadType: "json",
  // Requests tried from the page carry the API token the reader types in (kept in the page only).
  authentication: { preferredSecurityScheme: "bearer" },
  defaultOpenAllTags: false,
  metaData: { title: "OnAir API reference" }
})});\n`

/** A script of the page, as `request` takes it. */
const script = (file: Precompressed) =>
  Effect.map(Effect.service(HttpServerRequest.HttpServerRequest), (request) =>
    respond(request, file, "text/javascript; charset=utf-8", {
      ...SECURITY_HEADERS,
      "cache-control": "public, max-age=3600"
    })
  )

/** `GET /docs` and its two scripts. */
export const layer = Layer.unwrap(
  Effect.sync(() =>
    Layer.mergeAll(
      HttpRouter.add(
        "GET",
        "/docs",
        HttpServerResponse.text(PAGE, {
          contentType: "text/html; charset=utf-8",
          headers: { ...SECURITY_HEADERS, "cache-control": "no-cache" }
        })
      ),
      HttpRouter.add("GET", "/docs/assets/scalar.js", script(precompress(Fs.readFileSync(BUNDLE), true))),
      HttpRouter.add("GET", "/docs/assets/reference.js", script(precompress(new TextEncoder().encode(START), true)))
    )
  )
)
