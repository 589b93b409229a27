/**
 * `/openapi.json` and the offline `/docs` page: every endpoint in both, nothing loaded from elsewhere.
 */
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

describe("API documentation", () => {
  const server = useServer()

  it("serves OpenAPI 3.1 and a self-contained docs page listing every endpoint", async () => {
    const spec = await (await fetch(`${server.baseUrl}/openapi.json`)).json() as any
    assert.strictEqual(spec.openapi, "3.1.0")
    const operations = Object.entries(spec.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, item]) => Object.keys(item).filter((m) => ["get", "post", "patch", "delete", "put"].includes(m)).map((m) => ({ path, method: m })))
    assert.isAtLeast(operations.length, 20)
    assert.include(operations.map((o) => o.path), "/accounts/{account_id}/realtime/kit/{app_id}/analytics/daywise")

    const response = await fetch(`${server.baseUrl}/docs`)
    assert.strictEqual(response.status, 200)
    assert.include(response.headers.get("content-type") ?? "", "text/html")
    const page = await response.text()
    for (const { path, method } of operations) {
      assert.include(page, `<span class="method ${method}">${method.toUpperCase()}</span> <code>${path}</code>`)
    }
    assert.notMatch(page, /<script|(src|href)="https?:/, "no script, nothing fetched from elsewhere")
  })
})
