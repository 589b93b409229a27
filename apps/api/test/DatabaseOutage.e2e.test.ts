/**
 * The main job on a PostgreSQL server that goes away and comes back (a server of the test's own, on its own
 * port): while it is away the timer worker and the webhook deliveries back off and say so once each
 * instead of every round; when it is back, everything resumes by itself: the API answers and the catalog
 * follows the log again, a start timeout fires, a webhook is delivered.
 */
import { type MainJob, sleep, startMainJob, startReceiver, waitFor } from "@onair/test-support"
import { execFileSync } from "node:child_process"
import * as Path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

const SCRIPT = Path.resolve(import.meta.dirname, "../../../scripts/postgres.sh")
const PORT = "54337"
const server = (...args: Array<string>) =>
  execFileSync("bash", [SCRIPT, ...args], {
    encoding: "utf8",
    env: { ...process.env, ONAIR_TEST_PG_PORT: PORT },
    stdio: ["ignore", "pipe", "ignore"]
  }).trim()

describe("the main job through a database outage", { timeout: 120_000 }, () => {
  let job: MainJob
  let url = ""
  beforeAll(async () => {
    const admin = server()
    const name = `onair_outage_${process.pid}`
    execFileSync("psql", [admin, "-qc", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`])
    execFileSync("psql", [admin, "-qc", `CREATE DATABASE ${name}`])
    const parsed = new URL(admin)
    parsed.pathname = `/${name}`
    url = parsed.toString()
    job = await startMainJob({
      DATABASE_URL: url,
      ONAIR_MEDIA: "off",
      ONAIR_SECRET_KEY: Buffer.alloc(32, 33).toString("base64"),
      ONAIR_START_TIMEOUT_SECONDS: "2",
      ONAIR_WEBHOOK_RETRY_SCHEDULE: "300ms,300ms"
    })
  }, 90_000)
  afterAll(async () => {
    await job?.stop()
    server("stop")
  })

  it("backs off while the database is away and resumes by itself when it is back", async () => {
    const receiver = await startReceiver()
    const endpoint = await job.api("POST", "/webhooks", { url: receiver.url, events: ["livestream.status.changed"] })
    assert.strictEqual(endpoint.status, 201)
    const before = job.log().length
    server("stop")
    // Several of the loops' rounds (250 ms to 1 s each) while the database is away: what is under test is
    // how often they speak over real time with a real server gone, so that time passes.
    await sleep(6_000)
    const during = job.log().slice(before)
    const count = (text: string) => during.split(text).length - 1
    assert.isAtMost(count("timers: the timer source cannot be read"), 1, during)
    assert.isAtMost(count("webhooks: delivery round failed"), 1, during)
    server()

    // Back: a broadcast that gets no media ends at its start timeout, and its status changes are delivered.
    const created = await waitFor(
      "the API to answer again",
      async () => {
        const answer = await job.api("POST", "/livestreams", { name: "after the outage" })
        return answer.status === 201 ? answer.body.data : undefined
      },
      30_000
    )
    await waitFor(
      "the start timeout",
      async () => {
        const read = await job.api("GET", `/livestreams/${created.id}`)
        return read.status === 200 && read.body.data.livestream.status !== "INVOKED" ? true : undefined
      },
      30_000
    )
    await waitFor(
      "a delivered status change",
      async () =>
        receiver.received.some((r) => JSON.parse(r.body).data?.livestream_id === created.id) ? true : undefined,
      30_000
    )
    await receiver.close()
  })
})
