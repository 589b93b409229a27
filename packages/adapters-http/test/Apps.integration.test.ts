/**
 * Apps over HTTP: made by a token for the whole account (403 for a token that names its apps), listed with
 * paging, search and order as the caller's token sees them, usable at once; an unknown app is a 404; a
 * token names only apps that exist; an app used before apps were resources is registered on first use.
 */
import { AccountId, AppId, LivestreamId, SessionId, StreamKey, Timestamp } from "@onair/core"
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

process.env.ONAIR_ADMIN_TOKEN = "apps-admin-token"
const ACCOUNT = "acct_apps"

describe("apps", () => {
  const server = useServer()
  const call = server.call
  const apps = `/accounts/${ACCOUNT}/realtime/kit/apps`

  it("makes apps with new ids, lists them paged, searched and ordered, and serves them at once", async () => {
    const token = await server.token(ACCOUNT)
    const made: Array<{ id: string; name: string; created_at: string }> = []
    for (const name of ["Studio A", "Studio B", "Backstage"]) {
      const created = await call("POST", apps, token, { name })
      assert.strictEqual(created.status, 201, created.text)
      assert.match(created.body.data.app.id, /^[0-9a-f-]{36}$/)
      assert.strictEqual(created.body.data.app.name, name)
      made.push(created.body.data.app)
    }
    const livestream = await call("POST", `/accounts/${ACCOUNT}/realtime/kit/${made[0]!.id}/livestreams`, token, {
      name: "first"
    })
    assert.strictEqual(livestream.status, 201, livestream.text)

    const page = await call("GET", `${apps}?per_page=2&page_no=1&sort_order=ASC`, token)
    assert.strictEqual(page.status, 200)
    // The test apps (app_1, app_2) came first; these three follow in creation order.
    assert.strictEqual(page.body.paging.total_count, 5)
    assert.deepStrictEqual(
      page.body.data.map((a: { id: string }) => a.id),
      ["app_1", "app_2"]
    )
    const last = await call("GET", `${apps}?per_page=2&page_no=3&sort_order=ASC`, token)
    assert.deepStrictEqual(last.body.data, [made[2]])
    const newest = await call("GET", `${apps}?per_page=1`, token)
    assert.deepStrictEqual(newest.body.data, [made[2]])
    const found = await call("GET", `${apps}?search=studio`, token)
    assert.deepStrictEqual(found.body.data.map((a: { name: string }) => a.name).sort(), ["Studio A", "Studio B"])

    assert.strictEqual((await call("GET", `${apps}?per_page=0`, token)).status, 400)
    const nameless = await call("POST", apps, token, { name: "  " })
    assert.strictEqual(nameless.status, 400)
    assert.include(nameless.body.errors[0].message, "name")
  })

  it("a token that names its apps lists those and may not make apps; other accounts are not found", async () => {
    const scoped = await server.token(ACCOUNT, ["app_2"])
    const listed = await call("GET", apps, scoped)
    assert.deepStrictEqual(
      listed.body.data.map((a: { id: string }) => a.id),
      ["app_2"]
    )
    const refused = await call("POST", apps, scoped, { name: "nope" })
    assert.strictEqual(refused.status, 403)
    assert.strictEqual(refused.body.errors[0].code, "forbidden")
    const other = await server.token("acct_someone_else")
    assert.strictEqual((await call("GET", apps, other)).status, 404)
    assert.strictEqual((await call("POST", apps, other, { name: "theirs" })).status, 404)
  })

  it("an unknown app is a 404 everywhere; a token names only apps that exist; the operator may choose an id once", async () => {
    const token = await server.token(ACCOUNT)
    for (const path of [
      "livestreams",
      "webhooks",
      "settings",
      "recordings",
      "analytics/daywise?start_date=2026-01-01&end_date=2026-01-02"
    ]) {
      const answer = await call("GET", `/accounts/${ACCOUNT}/realtime/kit/no_such_app/${path}`, token)
      assert.strictEqual(answer.status, 404, path)
      assert.strictEqual(answer.body.errors[0].message, `app no_such_app of account ${ACCOUNT} was not found`)
    }
    const admin = process.env.ONAIR_ADMIN_TOKEN
    const unknown = await call("POST", `/admin/accounts/${ACCOUNT}/tokens`, admin, { apps: ["app_1", "no_such_app"] })
    assert.strictEqual(unknown.status, 404)
    assert.include(unknown.body.errors[0].message, "no_such_app")
    const chosen = await call("POST", `/admin/accounts/${ACCOUNT}/apps`, admin, {
      id: "carried_over",
      name: "Carried over"
    })
    assert.strictEqual(chosen.status, 201, chosen.text)
    assert.deepStrictEqual([chosen.body.data.app.id, chosen.body.data.app.name], ["carried_over", "Carried over"])
    assert.strictEqual(
      (await call("POST", `/admin/accounts/${ACCOUNT}/apps`, admin, { id: "carried_over", name: "again" })).status,
      409
    )
    const made = await call("POST", `/admin/accounts/${ACCOUNT}/tokens`, admin, { apps: ["carried_over"] })
    assert.strictEqual(made.status, 201)
    assert.strictEqual(
      (await call("GET", `/accounts/${ACCOUNT}/realtime/kit/carried_over/livestreams`, made.body.data.token)).status,
      200
    )
  })

  it("an app with livestreams from before apps were resources is registered the first time a request uses it", async () => {
    const token = await server.token(ACCOUNT)
    // A livestream appended straight to the log, as one made before apps existed.
    await server.signal({
      _tag: "CreateLivestream",
      livestreamId: LivestreamId.make(crypto.randomUUID()),
      at: Timestamp.make(1_790_000_000_000),
      accountId: AccountId.make(ACCOUNT),
      appId: AppId.make("legacy_app"),
      name: "from before",
      meetingId: null,
      videoConfig: null,
      streamKey: StreamKey.make("k".repeat(44)),
      reconnectWindowSeconds: 60,
      limits: { startTimeoutSeconds: 3600, maxDurationSeconds: 43_200 },
      sessionId: SessionId.make(crypto.randomUUID())
    })
    const before = await call("GET", `${apps}?search=legacy`, token)
    assert.deepStrictEqual(before.body.data, [])
    const used = await call("GET", `/accounts/${ACCOUNT}/realtime/kit/legacy_app/livestreams`, token)
    assert.strictEqual(used.status, 200, used.text)
    assert.strictEqual(used.body.data.livestreams.length, 1)
    const after = await call("GET", `${apps}?search=legacy`, token)
    assert.deepStrictEqual(
      after.body.data.map((a: { id: string; name: string }) => [a.id, a.name]),
      [["legacy_app", "legacy_app"]]
    )
  })
})
