/**
 * Two main jobs (API replicas) and two webhook workers (`apps/worker`) on one PostgreSQL log: a write
 * answers with its log position, and the other replica, given it, answers with what was written on its
 * first try; a token made on one works on the other at once; both converge without the header too (woken
 * by the other's NOTIFY, not a poll); every webhook reaches its receiver once per id with both workers
 * claiming deliveries, and when the worker running the outbox stops, the other takes it over.
 */
import {
  freshDatabase,
  type MainJob,
  startMainJob,
  startReceiver,
  startWorker as startWebhookWorker,
  waitFor
} from "@onair/test-support"
import { type ChildProcess, execFileSync } from "node:child_process"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

const SECRET_KEY = Buffer.alloc(32, 21).toString("base64")

describe("two API replicas on one PostgreSQL", { timeout: 120_000 }, () => {
  const database = freshDatabase("onair_replicas")
  let first: MainJob
  let second: MainJob
  const workers: Array<ChildProcess> = []
  const startWorker = () => {
    const worker = startWebhookWorker(database.url, SECRET_KEY, { ONAIR_WEBHOOK_CONCURRENCY: "4" })
    workers.push(worker)
    return worker
  }

  beforeAll(async () => {
    // Webhooks are the workers' alone, as on a PostgreSQL deployment.
    const env = {
      DATABASE_URL: database.url,
      ONAIR_MEDIA: "off",
      ONAIR_SECRET_KEY: SECRET_KEY,
      ONAIR_WEBHOOK_WORKER: "off"
    }
    first = await startMainJob(env)
    second = await startMainJob(env)
    startWorker()
    startWorker()
  }, 90_000)
  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill("SIGKILL")
    await first?.stop()
    await second?.stop()
    database.drop()
  })

  const call = (
    job: MainJob,
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string>; token?: string } = {}
  ) =>
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
      // The other replica has it cached now; a change made here is what it answers with the position.
      const renamed = await call(first, "PATCH", `/livestreams/${id}`, { body: { name: `renamed ${i}` } })
      assert.strictEqual(renamed.status, 200)
      const again = await call(second, "GET", `/livestreams/${id}`, {
        headers: { "onair-log-position": renamed.headers.get("onair-log-position")! }
      })
      assert.strictEqual(
        ((await again.json()) as any).data.livestream.name,
        `renamed ${i}`,
        `renamed ${i} on the other replica`
      )
    }
    // A read that writes nothing carries no position; a malformed one is a 400 naming the header.
    const list = await call(second, "GET", "/livestreams")
    assert.isNull(list.headers.get("onair-log-position"))
    const bad = await call(second, "GET", "/livestreams", { headers: { "onair-log-position": "soon" } })
    assert.strictEqual(bad.status, 400)
    assert.match(((await bad.json()) as any).errors[0].message, /^onair-log-position: /)
    // A position far ahead, with no token or a wrong one, is answered 401 at once: only a caller the server
    // knows waits for its read models (and gets 503 when they do not get there in time).
    for (const token of ["", "onair_tok_wrong"]) {
      const ahead = await call(second, "GET", "/livestreams", { token, headers: { "onair-log-position": "999999999" } })
      assert.strictEqual(ahead.status, 401, `token "${token}"`)
    }
    const waited = await call(second, "GET", "/livestreams", { headers: { "onair-log-position": "999999999" } })
    assert.strictEqual(waited.status, 503)
  })

  it("without the header the other replica converges too", async () => {
    const created = (
      (await (await call(first, "POST", "/livestreams", { body: { name: "eventually" } })).json()) as any
    ).data
    const seen = await waitFor(
      "the other replica",
      async () => {
        const read = await call(second, "GET", `/livestreams/${created.id}`)
        return read.status === 200 ? read : undefined
      },
      10_000
    )
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
    const forged = await call(second, "GET", "/livestreams", {
      token: token.replace(/.$/, (c) => (c === "A" ? "B" : "A"))
    })
    assert.strictEqual(forged.status, 401)
  })

  it("two workers deliver every webhook once per id, and one takes the outbox over when the other stops", async () => {
    // A receiver slow enough that both workers look for due deliveries while others are in flight.
    const receiver = await startReceiver({ delayMs: 300 })
    const endpoint = await first.api("POST", "/webhooks", { url: receiver.url, events: ["livestream.*"] })
    assert.strictEqual(endpoint.status, 201)
    // The feed of this test's livestreams: the earlier tests' ones had no endpoint to receive them.
    const mine = new Set<string>()
    const create = async (job: MainJob, name: string) => {
      const created = await call(job, "POST", "/livestreams", { body: { name } })
      mine.add(((await created.json()) as any).data.id)
    }
    const feedIds = async () =>
      (
        (await first.api("GET", "/webhooks/events?after=0&limit=1000")).body.data.events as Array<{
          id: string
          data: { livestream_id?: string }
        }>
      )
        .filter((event) => mine.has(event.data.livestream_id ?? ""))
        .map((event) => event.id)
    const allDelivered = (count: number) =>
      waitFor(
        `${count} webhooks delivered`,
        async () => {
          const ids = await feedIds()
          const received = new Set(receiver.received.map((r) => String(r.headers["webhook-id"])))
          return ids.length >= count && ids.every((id) => received.has(id)) ? ids : undefined
        },
        60_000
      )
    for (let i = 0; i < 20; i++) await create(i % 2 === 0 ? first : second, `hooked ${i}`)
    const before = await allDelivered(20)

    // Stop the worker that runs the outbox (its lease names its pid), then write more: the other takes the
    // outbox over and they are delivered too.
    const owner = execFileSync(
      "psql",
      [database.url, "-qAtc", "SELECT owner FROM onair_consumer_leases WHERE consumer = 'webhook-outbox'"],
      { encoding: "utf8" }
    )
    const stopped = workers.find((worker) => owner.split(":")[1] === String(worker.pid))
    assert.isDefined(stopped, `the outbox runs in a worker (lease owner ${owner.trim()})`)
    stopped!.kill("SIGTERM")
    await new Promise((resolve) => stopped!.once("exit", resolve))
    for (let i = 0; i < 10; i++) await create(i % 2 === 0 ? first : second, `after ${i}`)
    const all = await allDelivered(before.length + 10)

    const times = new Map<string, number>()
    for (const request of receiver.received) {
      const id = String(request.headers["webhook-id"])
      times.set(id, (times.get(id) ?? 0) + 1)
    }
    assert.deepStrictEqual([...times.keys()].sort(), [...all].sort(), "every message of the feed, and nothing else")
    for (const [id, count] of times) assert.strictEqual(count, 1, `webhook ${id} was delivered ${count} times`)
    await receiver.close()
  })
})
