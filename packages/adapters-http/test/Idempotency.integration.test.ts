/**
 * `Idempotency-Key` on creates and starts: the same key and body give the same resource and create
 * nothing twice, even sent at once; the same key with another body is a 409; a bad key is a 400.
 */
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

const ACCOUNT = "acct_idempotency"
const base = `/accounts/${ACCOUNT}/realtime/kit/app_1`

describe("Idempotency-Key over HTTP", () => {
  const server = useServer()
  const post = (path: string, token: string, body: unknown, key?: string) =>
    server.call("POST", path, token, body, key === undefined ? {} : { "idempotency-key": key })
  const count = async (token: string) => {
    const response = await fetch(`${server.baseUrl}${base}/livestreams?per_page=100`, {
      headers: { authorization: `Bearer ${token}` }
    })
    return ((await response.json()) as any).data.paging.total_count as number
  }

  it("creates a livestream once for repeated and for concurrent requests with one key", async () => {
    const token = await server.token(ACCOUNT)
    const first = await post(`${base}/livestreams`, token, { name: "once" }, "key-1")
    const repeat = await post(`${base}/livestreams`, token, { name: "once" }, "key-1")
    assert.strictEqual(repeat.status, first.status)
    assert.deepStrictEqual(repeat.body, first.body)
    const racing = await Promise.all(
      Array.from({ length: 6 }, () => post(`${base}/livestreams`, token, { name: "race" }, "key-2"))
    )
    assert.strictEqual(new Set(racing.map((r) => r.body.data.id)).size, 1)
    assert.strictEqual(await count(token), 2)
  })

  it("answers 409 for the same key with another body, and 400 for a malformed key", async () => {
    const token = await server.token(ACCOUNT)
    await post(`${base}/livestreams`, token, { name: "a" }, "key-3")
    const other = await post(`${base}/livestreams`, token, { name: "b" }, "key-3")
    assert.strictEqual(other.status, 409)
    assert.strictEqual(other.body.errors[0].code, "idempotency_key_reused")
    const bad = await post(`${base}/livestreams`, token, { name: "c" }, "has spaces in it")
    assert.strictEqual(bad.status, 400)
    assert.include(bad.body.errors[0].message, "idempotency-key")
  })

  it("makes meetings and starts meeting livestreams once per key", async () => {
    const token = await server.token(ACCOUNT)
    const meeting = await post(`${base}/meetings`, token, { title: "m" }, "meeting-key")
    const again = await post(`${base}/meetings`, token, { title: "m" }, "meeting-key")
    assert.strictEqual(again.body.data.id, meeting.body.data.id)
    const start = await post(`${base}/meetings/${meeting.body.data.id}/livestreams`, token, {}, "start-key")
    const restart = await post(`${base}/meetings/${meeting.body.data.id}/livestreams`, token, {}, "start-key")
    assert.strictEqual(start.status, 201)
    assert.deepStrictEqual(restart.body, start.body, "a retried start is not refused as already active")
  })
})
