/**
 * The admin endpoints over HTTP: only the admin token makes and revokes tokens; a token it makes works on
 * the API at once and stops working when revoked.
 */
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

process.env.ONAIR_ADMIN_TOKEN = "admin-secret-for-tests"
const ACCOUNT = "acct_admin_test"

describe("admin endpoints", () => {
  const server = useServer()
  const call = server.call

  it("makes a token only for the admin token; the token works at once and stops when revoked", async () => {
    const refused = await call("POST", `/admin/accounts/${ACCOUNT}/tokens`, "wrong", {})
    assert.strictEqual(refused.status, 401)
    const appToken = await server.token(ACCOUNT)
    assert.strictEqual((await call("POST", `/admin/accounts/${ACCOUNT}/tokens`, appToken, {})).status, 401)

    const made = await call("POST", `/admin/accounts/${ACCOUNT}/tokens`, process.env.ONAIR_ADMIN_TOKEN, {
      apps: ["app_1"],
      label: "deploy bot"
    })
    assert.strictEqual(made.status, 201)
    assert.match(made.body.data.token, /^onair_tok_[A-Za-z0-9]{24}_[A-Za-z0-9_-]{43}$/)
    assert.deepStrictEqual(made.body.data.apps, ["app_1"])
    const token = made.body.data.token as string
    const list = await call("GET", `/accounts/${ACCOUNT}/realtime/kit/app_1/livestreams`, token)
    assert.strictEqual(list.status, 200)

    const revoked = await call("DELETE", `/admin/tokens/${made.body.data.id}`, process.env.ONAIR_ADMIN_TOKEN)
    assert.strictEqual(revoked.status, 200)
    assert.strictEqual((await call("GET", `/accounts/${ACCOUNT}/realtime/kit/app_1/livestreams`, token)).status, 401)
    const unknown = await call("DELETE", `/admin/tokens/tok_${"z".repeat(24)}`, process.env.ONAIR_ADMIN_TOKEN)
    assert.strictEqual(unknown.status, 404)
  })

  it("names the field at fault in a bad token request", async () => {
    const bad = await call("POST", `/admin/accounts/${ACCOUNT}/tokens`, process.env.ONAIR_ADMIN_TOKEN, {
      apps: ["no spaces allowed"]
    })
    assert.strictEqual(bad.status, 400)
    assert.include(bad.body.errors[0].message, "apps")
  })
})
