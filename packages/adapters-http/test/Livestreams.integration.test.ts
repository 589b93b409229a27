/**
 * The livestream endpoints over real HTTP, against the seeds' shapes.
 */
import { CreatedLivestreamRecord, LivestreamRecord } from "@onair/core"
import { Schema } from "effect"
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

const ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
const base = (app = "app_1", account = ACCOUNT) => `/accounts/${account}/realtime/kit/${app}`

describe("livestreams over HTTP", () => {
  const server = useServer()
  const call = server.call

  it("creates, lists and reads livestreams in the seeds' envelopes and shapes", async () => {
    const token = await server.token(ACCOUNT, ["app_1"])
    const created = await call("POST", `${base()}/livestreams`, token, { name: "Launch" })
    assert.strictEqual(created.status, 201)
    assert.strictEqual(created.body.success, true)
    const record = Schema.decodeUnknownSync(CreatedLivestreamRecord)(created.body.data)
    assert.strictEqual(record.status, "INVOKED")
    assert.strictEqual(record.disabled, false)
    assert.strictEqual(record.name, "Launch")
    assert.notInclude(record.playback_url, record.stream_key)

    const second = await call("POST", `${base()}/livestreams`, token, {})
    assert.strictEqual(second.body.data.name, null)

    const list = await call("GET", `${base()}/livestreams?per_page=1&sort_order=ASC`, token)
    assert.strictEqual(list.status, 200)
    Schema.decodeUnknownSync(LivestreamRecord)(list.body.data.livestreams[0])
    assert.strictEqual(list.body.data.id, record.id, "the seed's fields are the page's first livestream")
    assert.deepStrictEqual(list.body.data.paging, { start_offset: 1, end_offset: 1, total_count: 2 })
    const lastPage = await call("GET", `${base()}/livestreams?per_page=1&page_no=2&sort_order=ASC`, token)
    assert.strictEqual(lastPage.body.data.id, second.body.data.id)
    const beyond = await call("GET", `${base()}/livestreams?per_page=1&page_no=3`, token)
    assert.deepStrictEqual(beyond.body.data, {
      paging: { start_offset: 0, end_offset: 0, total_count: 2 },
      livestreams: []
    })

    const detail = await call("GET", `${base()}/livestreams/${record.id}`, token)
    assert.strictEqual(detail.status, 200)
    assert.strictEqual(detail.body.data.livestream.id, record.id)
    assert.strictEqual(detail.body.data.sessions.length, 1)
    assert.strictEqual(detail.body.data.session.livestream_id, record.id)
    assert.strictEqual(detail.body.data.session.started_time, null)
  })

  it("refuses a missing, malformed, unknown or revoked token with 401 in the envelope", async () => {
    const token = await server.token(ACCOUNT)
    await server.revoke(token)
    for (const bearer of [undefined, "", "nonsense", `onair_tok_${"a".repeat(24)}_${"b".repeat(43)}`, token]) {
      const response = await call("GET", `${base()}/livestreams`, bearer)
      assert.strictEqual(response.status, 401, `bearer ${String(bearer)}`)
      assert.strictEqual(response.body.success, false)
      assert.strictEqual(response.body.errors[0].code, "unauthorized")
    }
  })

  it("stops serving a token's reads the moment it is revoked", async () => {
    const token = await server.token(ACCOUNT, ["app_1"])
    const created = await call("POST", `${base()}/livestreams`, token, {})
    const path = `${base()}/livestreams/${created.body.data.id}`
    assert.strictEqual((await call("GET", path, token)).status, 200)
    assert.strictEqual((await call("GET", path, token)).status, 200, "a repeat, from the verified-token cache")
    await server.revoke(token)
    const after = await call("GET", path, token)
    assert.strictEqual(after.status, 401)
    assert.strictEqual(after.body.errors[0].code, "unauthorized")
  })

  it("answers 404 for another account's or another app's data", async () => {
    const mine = await server.token(ACCOUNT, ["app_1"])
    const created = await call("POST", `${base()}/livestreams`, mine, { name: "mine" })
    const otherAccount = await server.token("other_account")
    const otherApp = await server.token(ACCOUNT, ["app_2"])
    for (const [token, path] of [
      [otherAccount, `${base()}/livestreams/${created.body.data.id}`],
      [otherAccount, `${base("app_1", "other_account")}/livestreams/${created.body.data.id}`],
      [otherApp, `${base()}/livestreams`],
      [otherApp, `${base("app_2")}/livestreams/${created.body.data.id}`]
    ] as const) {
      const response = await call("GET", path, token)
      assert.strictEqual(response.status, 404, path)
      assert.strictEqual(response.body.errors[0].code, "not_found")
    }
  })

  it("names the parameter or field at fault in a 400", async () => {
    const token = await server.token(ACCOUNT)
    const cases: ReadonlyArray<readonly [string, string, unknown, string]> = [
      ["GET", `${base()}/livestreams?per_page=0`, undefined, "per_page"],
      ["GET", `${base()}/livestreams?per_page=abc`, undefined, "per_page"],
      ["GET", `${base()}/livestreams?page_no=-1`, undefined, "page_no"],
      ["GET", `${base()}/livestreams?sort_order=UP`, undefined, "sort_order"],
      ["GET", `${base()}/livestreams?status=PAUSED`, undefined, "status"],
      ["GET", `${base()}/livestreams?start_time=yesterday`, undefined, "start_time"],
      ["GET", `${base()}/livestreams/not-a-uuid`, undefined, "livestream_id"],
      ["POST", `${base()}/livestreams`, { name: 42 }, "name"],
      ["POST", `${base()}/livestreams`, { name: "x".repeat(5000) }, "name"]
    ]
    for (const [method, path, body, field] of cases) {
      const response = await call(method, path, token, body)
      assert.strictEqual(response.status, 400, `${method} ${path}`)
      assert.strictEqual(response.body.success, false)
      assert.include(response.body.errors[0].message, field, `${method} ${path}`)
    }
  })
})
