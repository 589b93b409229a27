/**
 * Managing livestreams over HTTP: rename and reconnect window, disable and enable, key rotation, delete;
 * refusals as 409s with stable codes; nothing of another app's livestreams can be touched.
 */
import { LivestreamRecord } from "@onair/core"
import { Schema } from "effect"
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

const ACCOUNT = "acct_manage"
const base = `/accounts/${ACCOUNT}/realtime/kit/app_1/livestreams`

describe("managing livestreams over HTTP", () => {
  const server = useServer()
  const call = server.call

  it("renames, sets the window, disables, enables, rotates the key and deletes", async () => {
    const token = await server.token(ACCOUNT, ["app_1"])
    const created = await call("POST", base, token, { name: "before" })
    const id = created.body.data.id as string

    const renamed = await call("PATCH", `${base}/${id}`, token, { name: "after", reconnect_window_seconds: 0 })
    assert.strictEqual(renamed.status, 200)
    assert.strictEqual(Schema.decodeUnknownSync(LivestreamRecord)(renamed.body.data).name, "after")

    const disabled = await call("POST", `${base}/${id}/disable`, token)
    assert.strictEqual(disabled.body.data.disabled, "disabled")
    const again = await call("POST", `${base}/${id}/disable`, token)
    assert.strictEqual(again.status, 409)
    assert.strictEqual(again.body.errors[0].code, "already_disabled")
    const enabled = await call("POST", `${base}/${id}/enable`, token)
    assert.strictEqual(enabled.body.data.disabled, "")
    assert.strictEqual((await call("POST", `${base}/${id}/enable`, token)).body.errors[0].code, "not_disabled")

    const rotated = await call("POST", `${base}/${id}/rotate-stream-key`, token)
    assert.strictEqual(rotated.status, 200)
    assert.notStrictEqual(rotated.body.data.stream_key, created.body.data.stream_key)

    const deleted = await call("DELETE", `${base}/${id}`, token)
    assert.strictEqual(deleted.status, 200)
    assert.strictEqual((await call("GET", `${base}/${id}`, token)).status, 404)
    assert.strictEqual((await call("DELETE", `${base}/${id}`, token)).status, 404)
    const list = await call("GET", base, token)
    assert.notInclude(
      list.body.data.livestreams.map((l: any) => l.id),
      id
    )
  })

  it("refuses an empty or invalid change with a 400 naming the field", async () => {
    const token = await server.token(ACCOUNT, ["app_1"])
    const id = (await call("POST", base, token, {})).body.data.id as string
    for (const [body, field] of [
      [{}, "name"],
      [{ reconnect_window_seconds: -1 }, "reconnect_window_seconds"],
      [{ reconnect_window_seconds: 99_999 }, "reconnect_window_seconds"],
      [{ reconnect_window_seconds: 1.5 }, "reconnect_window_seconds"]
    ] as const) {
      const response = await call("PATCH", `${base}/${id}`, token, body)
      assert.strictEqual(response.status, 400, JSON.stringify(body))
      assert.include(response.body.errors[0].message, field)
    }
  })

  it("cannot touch another app's livestream", async () => {
    const owner = await server.token(ACCOUNT, ["app_1"])
    const id = (await call("POST", base, owner, {})).body.data.id as string
    const stranger = await server.token(ACCOUNT, ["app_2"])
    const strangerBase = `/accounts/${ACCOUNT}/realtime/kit/app_2/livestreams`
    for (const [method, path] of [
      ["POST", `${strangerBase}/${id}/disable`],
      ["POST", `${strangerBase}/${id}/rotate-stream-key`],
      ["DELETE", `${strangerBase}/${id}`],
      ["PATCH", `${strangerBase}/${id}`]
    ] as const) {
      const response = await call(method, path, stranger, method === "PATCH" ? { name: "mine now" } : undefined)
      assert.strictEqual(response.status, 404, `${method} ${path}`)
    }
    const untouched = await call("GET", `${base}/${id}`, owner)
    assert.strictEqual(untouched.body.data.livestream.disabled, "")
  })
})
