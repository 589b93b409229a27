/**
 * The dashboard's built files as the API serves them: the page revalidated, hashed assets cached for good,
 * the security headers on each, nothing outside the build reachable, and a clear 503 where none is built.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

const build = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-dashboard-"))
Fs.mkdirSync(Path.join(build, "assets"))
Fs.writeFileSync(
  Path.join(build, "index.html"),
  "<!doctype html><title>OnAir</title><script type=module src=/dashboard/assets/index-abc.js></script>"
)
Fs.writeFileSync(Path.join(build, "assets", "index-abc.js"), `console.log('dashboard')\n`.repeat(200))
Fs.writeFileSync(Path.join(build, ".onair-sources"), "not served")
Fs.writeFileSync(Path.join(Path.dirname(build), "outside-the-build.txt"), "secret")

describe("the dashboard's files", () => {
  const server = useServer({ dashboardDir: build })

  it("serves the page and its assets with their caching and security headers", async () => {
    const redirect = await fetch(`${server.baseUrl}/dashboard`, { redirect: "manual" })
    assert.strictEqual(redirect.status, 308)
    assert.strictEqual(redirect.headers.get("location"), "/dashboard/")

    const page = await fetch(`${server.baseUrl}/dashboard/`)
    assert.strictEqual(page.status, 200)
    assert.strictEqual(page.headers.get("content-type"), "text/html; charset=utf-8")
    assert.strictEqual(page.headers.get("cache-control"), "no-cache")
    assert.strictEqual(page.headers.get("x-frame-options"), "DENY")
    const policy = page.headers.get("content-security-policy") ?? ""
    assert.include(policy, "script-src 'self'")
    assert.include(policy, "frame-ancestors 'none'")
    assert.include(await page.text(), "<title>OnAir</title>")

    const asset = await fetch(`${server.baseUrl}/dashboard/assets/index-abc.js`)
    assert.strictEqual(asset.status, 200)
    // fetch asks for gzip and inflates: the bytes are the file's, sent gzipped.
    assert.strictEqual(asset.headers.get("content-encoding"), "gzip")
    assert.strictEqual(await asset.text(), `console.log('dashboard')\n`.repeat(200))
    assert.strictEqual(asset.headers.get("content-type"), "text/javascript; charset=utf-8")
    assert.strictEqual(asset.headers.get("cache-control"), "public, max-age=31536000, immutable")
    assert.strictEqual(asset.headers.get("x-content-type-options"), "nosniff")
    const plain = await fetch(`${server.baseUrl}/dashboard/assets/index-abc.js`, {
      headers: { "accept-encoding": "identity" }
    })
    assert.strictEqual(plain.headers.get("content-encoding"), null)
    assert.strictEqual((await plain.arrayBuffer()).byteLength, 25 * 200)
  })

  it("answers 404 in the envelope for anything the build does not hold, outside it included", async () => {
    for (const path of [
      "/dashboard/nope.js",
      "/dashboard/.onair-sources",
      "/dashboard/../outside-the-build.txt",
      "/dashboard/%2e%2e/outside-the-build.txt",
      "/dashboard/assets/../../outside-the-build.txt"
    ]) {
      const response = await server.call("GET", path, undefined)
      assert.strictEqual(response.status, 404, path)
      assert.strictEqual(response.body.success, false, path)
      assert.notInclude(response.text, "secret", path)
    }
  })
})

describe("with no dashboard built", () => {
  const server = useServer()

  it("says how to build it", async () => {
    const response = await server.call("GET", "/dashboard/", undefined)
    assert.strictEqual(response.status, 503)
    assert.strictEqual(response.body.errors[0].code, "dashboard_not_built")
    assert.match(response.body.errors[0].message, /scripts\/setup\.sh/)
  })
})
