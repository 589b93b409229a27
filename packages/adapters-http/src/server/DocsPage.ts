/**
 * `/docs`: the API's reference as one self-contained HTML page, rendered on the server from the same
 * OpenAPI document as `/openapi.json`. No script and no outside assets, so it works offline and behind
 * a strict firewall.
 */
import { HttpRouter, HttpServerResponse } from "effect/http"
import { OpenApi } from "effect/http-api"
import { OnAirApi } from "@onair/http-api"

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const pretty = (value: unknown): string => escape(JSON.stringify(value, null, 2))

interface Operation {
  readonly operationId?: string
  readonly summary?: string
  readonly description?: string
  readonly tags?: ReadonlyArray<string>
  readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string; readonly required?: boolean; readonly schema?: Json }>
  readonly requestBody?: { readonly content?: Record<string, { readonly schema?: Json }> }
  readonly responses?: Record<string, { readonly description?: string; readonly content?: Record<string, { readonly schema?: Json }> }>
  readonly security?: ReadonlyArray<Record<string, unknown>>
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const

const renderOperation = (path: string, method: string, operation: Operation): string => {
  const parameters = (operation.parameters ?? []).map((p) =>
    `<tr><td><code>${escape(p.name)}</code></td><td>${escape(p.in)}</td><td>${p.required === true ? "yes" : "no"}</td>` +
    `<td><pre>${pretty(p.schema ?? {})}</pre></td></tr>`
  ).join("")
  const body = operation.requestBody?.content?.["application/json"]?.schema
  const responses = Object.entries(operation.responses ?? {}).map(([status, response]) =>
    `<details><summary><b>${escape(status)}</b> ${escape(response.description ?? "")}</summary>` +
    `<pre>${pretty(response.content?.["application/json"]?.schema ?? "(no body)")}</pre></details>`
  ).join("")
  const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-")
  return `<section id="${escape(id)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>
<p class="op">${escape(operation.operationId ?? "")}${operation.security === undefined || operation.security.length > 0 ? " · bearer token" : ""}</p>
${operation.description === undefined ? "" : `<p>${escape(operation.description)}</p>`}
${parameters === "" ? "" : `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${parameters}</table>`}
${body === undefined ? "" : `<details open><summary>request body (application/json)</summary><pre>${pretty(body)}</pre></details>`}
${responses}
</section>`
}

/** The page for an OpenAPI document. */
export const render = (spec: ReturnType<typeof OpenApi.fromApi>): string => {
  const paths = (spec as unknown as { readonly paths: Record<string, Record<string, Operation>> }).paths
  const operations = Object.entries(paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => item[method] === undefined ? [] : [{ path, method, operation: item[method]! }])
  )
  const byTag = new Map<string, Array<string>>()
  for (const { path, method, operation } of operations) {
    const tag = operation.tags?.[0] ?? "other"
    byTag.set(tag, [...(byTag.get(tag) ?? []), renderOperation(path, method, operation)])
  }
  const title = escape(spec.info.title)
  const contents = [...byTag.keys()].map((tag) => `<a href="#tag-${escape(tag)}">${escape(tag)}</a>`).join(" · ")
  const sections = [...byTag].map(([tag, rendered]) => `<h2 id="tag-${escape(tag)}">${escape(tag)}</h2>${rendered.join("")}`)
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
code,pre{font:13px/1.4 ui-monospace,monospace}pre{background:#f5f5f7;padding:.6rem;overflow:auto;max-height:24rem}
section{border-top:1px solid #ddd;padding:.5rem 0}.method{display:inline-block;min-width:4.5rem;font-weight:700}
.get{color:#0a7}.post{color:#06c}.patch{color:#a60}.delete{color:#c22}.op{color:#666;margin:0}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;vertical-align:top;text-align:left}
</style></head><body>
<h1>${title} API</h1>
<p>${escape(spec.info.description ?? "")}</p>
<p>${operations.length} endpoints. Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escape(spec.openapi)}). ${contents}</p>
${sections.join("\n")}
</body></html>`
}

/** `GET /docs`. */
export const layer = HttpRouter.add("GET", "/docs", HttpServerResponse.html(render(OpenApi.fromApi(OnAirApi))))
