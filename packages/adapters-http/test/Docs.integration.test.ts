/**
 * `/openapi.json` and the offline `/docs` page: every endpoint in both, nothing loaded from elsewhere. The
 * document is what clients generate code from: Redocly's strictest ruleset (an OpenAPI linter from npm)
 * passes on it, and every operation, parameter and field is described with an example, with the types
 * and formats clients need.
 */
import { createConfig, lintFromString } from "@redocly/openapi-core"
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

describe("API documentation", () => {
  const server = useServer()

  it("serves OpenAPI 3.1, and a reference page whose renderer comes from this server alone", async () => {
    const spec = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as any
    assert.strictEqual(spec.openapi, "3.1.0")
    const operations = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => ["get", "post", "patch", "delete", "put"].includes(m))
        .map((m) => ({ path, method: m }))
    )
    assert.isAtLeast(operations.length, 20)
    assert.include(
      operations.map((o) => o.path),
      "/accounts/{account_id}/realtime/kit/{app_id}/analytics/daywise"
    )

    const response = await fetch(`${server.baseUrl}/docs`)
    assert.strictEqual(response.status, 200)
    assert.include(response.headers.get("content-type") ?? "", "text/html")
    assert.include(response.headers.get("content-security-policy") ?? "", "script-src 'self'")
    const page = await response.text()
    const scripts = [...page.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!)
    assert.deepStrictEqual(scripts, ["/docs/assets/scalar.js", "/docs/assets/reference.js"])
    assert.notMatch(page, /(src|href)="https?:/, "nothing fetched from elsewhere")

    // The renderer's bundle, gzipped for browsers that take it, and its settings: this server's document,
    // none of the renderer's hosted fonts, telemetry or agent.
    const bundle = await fetch(`${server.baseUrl}/docs/assets/scalar.js`, { headers: { "accept-encoding": "gzip" } })
    assert.strictEqual(bundle.status, 200)
    assert.strictEqual(bundle.headers.get("content-encoding"), "gzip")
    assert.include(await bundle.text(), "createApiReference")
    const settings = await (await fetch(`${server.baseUrl}/docs/assets/reference.js`)).text()
    const json = JSON.parse(settings.slice(settings.indexOf("{"), settings.lastIndexOf("}") + 1))
    assert.include(json, { url: "/openapi.json", withDefaultFonts: false, telemetry: false })
    assert.deepStrictEqual(json.agent, { disabled: true })
  })

  it("passes Redocly's strictest ruleset, save the seed's own path layout and the licence not chosen yet", async () => {
    const source = await (await fetch(`${server.baseUrl}/openapi.json`)).text()
    const config = await createConfig({
      extends: ["recommended-strict"],
      rules: {
        // The seed's paths: `livestreams/sessions/{session_id}` beside `livestreams/{livestream_id}/…`.
        "no-ambiguous-paths": "off",
        // The project has no licence file yet: none is claimed.
        "info-license": "off"
      }
    } as never)
    const problems = await lintFromString({ source, absoluteRef: "/openapi.json", config })
    assert.deepStrictEqual(
      problems.map((p) => `${p.ruleId}: ${p.message} @ ${p.location[0]?.pointer}`),
      []
    )
  })

  it("describes every operation, parameter and field with an example, typed as clients need", async () => {
    const spec = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as any
    const missing: Array<string> = []
    const parameters = new Map<string, any>()
    for (const [path, item] of Object.entries(spec.paths as Record<string, Record<string, any>>)) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`
        if (!operation.summary || !operation.description) missing.push(`${where}: summary and description`)
        for (const param of operation.parameters ?? []) {
          if (!param.description || param.example === undefined) missing.push(`${where}: parameter ${param.name}`)
          parameters.set(`${param.name}@${path}`, param.schema)
        }
      }
    }
    const fields = (node: unknown, at: string): void => {
      if (Array.isArray(node)) {
        for (const [i, item] of node.entries()) fields(item, `${at}/${i}`)
        return
      }
      if (typeof node !== "object" || node === null) return
      const schema = node as Record<string, any>
      for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, any>)) {
        if (property.$ref === undefined && (!property.description || property.examples === undefined))
          missing.push(`${at}: field ${name}`)
      }
      for (const [key, value] of Object.entries(schema)) fields(value, `${at}/${key}`)
    }
    fields(spec.paths, "#/paths")
    fields(spec.components, "#/components")
    assert.deepStrictEqual(missing, [])

    const list = "/accounts/{account_id}/realtime/kit/{app_id}/livestreams"
    assert.deepStrictEqual(parameters.get(`page_no@${list}`), { type: "integer", minimum: 1 })
    assert.deepStrictEqual(parameters.get(`per_page@${list}`), { type: "integer", minimum: 1, maximum: 100 })
    assert.deepStrictEqual(parameters.get(`exclude_meetings@${list}`), { type: "boolean" })
    assert.deepStrictEqual(
      parameters.get(`start_time@${list}`).anyOf.map((s: any) => s.format ?? s.type),
      ["date-time", "date", "integer"]
    )
    const created = spec.paths[list].post.responses["201"].content["application/json"].schema.properties.data.properties
    assert.strictEqual(created.id.format, "uuid")
    assert.strictEqual(created.playback_url.format, "uri")
    const one =
      spec.paths[`${list}/{livestream_id}`].get.responses["200"].content["application/json"].schema.properties.data
        .properties
    assert.strictEqual(one.livestream.properties.created_at.format, "date-time")
    // The seed's types, quirks kept (seed-quirks.md): a boolean at create, a string in the detail view.
    assert.strictEqual(created.disabled.type, "boolean")
    assert.strictEqual(one.livestream.properties.disabled.type, "string")
  })
})
