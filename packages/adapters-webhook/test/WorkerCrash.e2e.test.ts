/**
 * The webhook worker as its own process on PostgreSQL (`apps/worker`, beside a main job started with
 * `ONAIR_WEBHOOK_WORKER=off`), killed with SIGKILL in the middle of deliveries and started again: every
 * committed event reaches the receiver, and a repeat carries the same `webhook-id` and the same body.
 */
import {
  freshDatabase,
  type MainJob,
  startMainJob,
  startReceiver,
  startWorker as startWebhookWorker,
  waitFor
} from "@onair/test-support"
import type { ChildProcess } from "node:child_process"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

/** The API and the worker share the log, and so the deployment key its secrets are stored under. */
const SECRET_KEY = Buffer.alloc(32, 9).toString("base64")

describe("the webhook worker killed mid-delivery", { timeout: 120_000 }, () => {
  const database = freshDatabase("onair_webhooks")
  let job: MainJob
  const workers: Array<ChildProcess> = []
  const startWorker = () => {
    const worker = startWebhookWorker(database.url, SECRET_KEY, {
      ONAIR_WEBHOOK_CONCURRENCY: "4",
      ONAIR_WEBHOOK_TIMEOUT_SECONDS: "2"
    })
    workers.push(worker)
    return worker
  }

  beforeAll(async () => {
    job = await startMainJob({
      DATABASE_URL: database.url,
      ONAIR_MEDIA: "off",
      ONAIR_WEBHOOK_WORKER: "off",
      ONAIR_SECRET_KEY: SECRET_KEY
    })
  }, 90_000)
  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill("SIGKILL")
    await job?.stop()
    database.drop()
  })

  it("loses nothing; repeats only with the same webhook-id", async () => {
    const receiver = await startReceiver({ delayMs: 100 })
    const created = await job.api("POST", "/webhooks", { url: receiver.url, events: ["livestream.status.changed"] })
    assert.strictEqual(created.status, 201)
    for (let i = 0; i < 30; i++) await job.api("POST", "/livestreams", { name: `before ${i}` })

    const first = startWorker()
    await waitFor("deliveries in flight", async () => (receiver.received.length >= 6 ? true : undefined))
    first.kill("SIGKILL")
    await new Promise((resolve) => first.once("exit", resolve))
    const atKill = receiver.received.length
    // Committed while no worker runs: the next one sends them.
    for (let i = 0; i < 10; i++) await job.api("POST", "/livestreams", { name: `while down ${i}` })
    assert.isBelow(atKill, 40)

    startWorker()
    const feed = await waitFor(
      "the feed",
      async () => {
        const events = (await job.api("GET", "/webhooks/events?after=0&limit=1000")).body.data.events
        return events.length === 40 ? (events as Array<{ id: string }>) : undefined
      },
      30_000
    )
    await waitFor(
      "every event delivered",
      async () => {
        const ids = new Set(receiver.received.map((r) => r.headers["webhook-id"]))
        return feed.every((event) => ids.has(event.id)) ? true : undefined
      },
      60_000
    )
    const byId = new Map<string, Set<string>>()
    for (const request of receiver.received) {
      const id = String(request.headers["webhook-id"])
      byId.set(id, (byId.get(id) ?? new Set()).add(request.body))
    }
    assert.strictEqual(byId.size, 40)
    for (const [id, bodies] of byId) {
      assert.strictEqual(bodies.size, 1, `webhook ${id} was sent with different bodies`)
      assert.strictEqual(JSON.parse([...bodies][0]!).id, id)
    }
    await receiver.close()
  })
})
