/**
 * `/healthz` and `/readyz` over HTTP, without a token: alive, ready when the store answers and the catalog
 * is current, and not ready (503 in the envelope, naming the check) in a process whose media node takes no
 * publishes.
 * Each answers well inside 50 ms.
 */
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

const timed = async (url: string) => {
  const started = performance.now()
  const response = await fetch(url)
  return {
    status: response.status,
    body: (await response.json()) as any,
    ms: performance.now() - started,
    cache: response.headers.get("cache-control")
  }
}

describe("health of an API process", () => {
  const server = useServer()

  it("is alive and ready without a token, the catalog current after a write", async () => {
    const token = await server.token("acct_health")
    assert.strictEqual(
      (await server.call("POST", "/accounts/acct_health/realtime/kit/app_1/livestreams", token, { name: "x" })).status,
      201
    )
    const alive = await timed(`${server.baseUrl}/healthz`)
    assert.deepStrictEqual(
      [alive.status, alive.body, alive.cache],
      [200, { success: true, data: { status: "ok" } }, "no-store"]
    )
    const ready = await timed(`${server.baseUrl}/readyz`)
    assert.strictEqual(ready.status, 200, JSON.stringify(ready.body))
    assert.deepStrictEqual(ready.body, {
      success: true,
      data: { status: "ready", checks: { store: "ok", read_models: "ok" } }
    })
    // Answered well inside the orchestrators' 50 ms (each check is cut at 40 ms).
    for (let i = 0; i < 5; i++) assert.isBelow((await timed(`${server.baseUrl}/readyz`)).ms, 50)
  })
})

describe("health of a process with a media node", () => {
  // The node is not taking publishes (not registered): the process is alive, not ready.
  const server = useServer({ mediaNode: true })

  it("answers 503 naming the media node's check", async () => {
    assert.strictEqual((await timed(`${server.baseUrl}/healthz`)).status, 200)
    const ready = await timed(`${server.baseUrl}/readyz`)
    assert.strictEqual(ready.status, 503)
    // In the envelope, one error per failed check, and every check's verdict beside.
    assert.deepStrictEqual(ready.body.errors, [
      { code: "not_ready", message: "media_node: the media node is not registered and taking publishes" }
    ])
    assert.deepStrictEqual(ready.body.data, {
      status: "not ready",
      checks: { store: "ok", read_models: "ok", media_node: "the media node is not registered and taking publishes" }
    })
  })
})
