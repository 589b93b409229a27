/**
 * Two main jobs (API replicas) on one PostgreSQL log: a write answers with its log position, and the
 * other replica, given it, answers with what was written on its first try; a token made on one works on
 * the other at once; both converge without the header too (woken by the other's NOTIFY, not a poll).
 */
import { freshDatabase, type MainJob, startMainJob, waitFor } from "@onair/test-support"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

const SECRET_KEY = Buffer.alloc(32, 21).toString("base64")

describe("two API replicas on one PostgreSQL", { timeout: 120_000 }, () => {
  const database = freshDatabase("onair_replicas")
  let first: MainJob
  let second: MainJob

  beforeAll(async () => {
    const env = { DATABASE_URL: database.url, ONAIR_MEDIA: "off", ONAIR_SECRET_KEY: SECRET_KEY }
    first = await startMainJob(env)
    second = await startMainJob({ ...env, ONAIR_WEBHOOK_WORKER: "off" })
  }, 90_000)
  afterAll(async () => {
    await first?.stop()
    await second?.stop()
    database.drop()
  })

  const call = (job: MainJob, method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; token?: string } = {}) =>
    fetch(`${job.url}/accounts/${job.account}/realtime/kit/${job.app}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${init.token ?? job.token}`,
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        ...init.headers
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
    })

  it("a write's log position makes the other replica answer with it at once", async () => {
    for (let i = 0; i < 20; i++) {
      const created = await call(first, "POST", "/livestreams", { body: { name: `replicated ${i}` } })
      assert.strictEqual(created.status, 201)
      const position = created.headers.get("onair-log-position")
      assert.match(position ?? "", /^\d+$/)
      const id = ((await created.json()) as any).data.id
      const read = await call(second, "GET", `/livestreams/${id}`, { headers: { "onair-log-position": position! } })
      assert.strictEqual(read.status, 200, `read ${i} on the other replica`)
      assert.strictEqual(((await read.json()) as any).data.livestream.name, `replicated ${i}`)
    }
    // A read that writes nothing carries no position; a malformed one is a 400 naming the header.
    const list = await call(second, "GET", "/livestreams")
    assert.isNull(list.headers.get("onair-log-position"))
    const bad = await call(second, "GET", "/livestreams", { headers: { "onair-log-position": "soon" } })
    assert.strictEqual(bad.status, 400)
    assert.match(((await bad.json()) as any).errors[0].message, /^onair-log-position: /)
  })

  it("without the header the other replica converges too", async () => {
    const created = ((await (await call(first, "POST", "/livestreams", { body: { name: "eventually" } })).json()) as any).data
    const seen = await waitFor("the other replica", async () => {
      const read = await call(second, "GET", `/livestreams/${created.id}`)
      return read.status === 200 ? read : undefined
    }, 10_000)
    assert.strictEqual(seen.status, 200)
  })

  it("a token made on one replica works on the other on its first request", async () => {
    const admin = await fetch(`${first.url}/admin/accounts/${first.account}/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${first.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ apps: [first.app], label: "replicated" })
    })
    assert.strictEqual(admin.status, 201)
    const token = ((await admin.json()) as any).data.token as string
    const used = await call(second, "GET", "/livestreams", { token })
    assert.strictEqual(used.status, 200)
    // A well-formed token that exists nowhere is still refused.
    const forged = await call(second, "GET", "/livestreams", { token: token.replace(/.$/, (c) => (c === "A" ? "B" : "A")) })
    assert.strictEqual(forged.status, 401)
  })
})
