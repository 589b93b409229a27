/**
 * The node API as a node of its own speaks it, over real HTTP to the main job (no nginx: the requests are
 * the ones a node's agent sends): a credential speaks for its own node only, a registration is refused
 * while another running boot holds the node, bad bodies answer 400 naming the field, and one node's
 * reports never touch another node's connections.
 */
import { randomBytes } from "node:crypto"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type MainJob, nodeCredential, startMainJob } from "@onair/test-support"
import * as NodeCredentials from "../src/NodeCredentials.ts"
import { MediaNodeId } from "@onair/core"

describe("media node credentials", () => {
  const secret = "s".repeat(40)
  it("a credential names its node and verifies under its secret only", () => {
    const credential = NodeCredentials.issue(secret, MediaNodeId.make("media-a"))
    assert.match(credential, /^onair_node_media-a_[A-Za-z0-9_-]{43}$/)
    assert.strictEqual(NodeCredentials.verify(secret, credential), "media-a")
    assert.strictEqual(NodeCredentials.verify("t".repeat(40), credential), undefined)
    // The MAC of node a does not make a credential of node b.
    assert.strictEqual(NodeCredentials.verify(secret, credential.replace("media-a", "media-b")), undefined)
    assert.strictEqual(NodeCredentials.verify(secret, `${credential}x`), undefined)
  })
})

describe("the node API", { timeout: 120_000 }, () => {
  const secret = randomBytes(32).toString("base64url")
  let job: MainJob
  let credentialA: string
  let credentialB: string

  beforeAll(async () => {
    job = await startMainJob({ ONAIR_MEDIA: "off", ONAIR_MEDIA_NODE_SECRET: secret })
    ;[credentialA, credentialB] = await Promise.all([nodeCredential(secret, "node-a"), nodeCredential(secret, "node-b")])
  }, 90_000)
  afterAll(async () => {
    await job?.stop()
  })

  const call = async (credential: string | null, operation: string, body: unknown) => {
    const response = await fetch(`${job.url}/media-nodes/v1/${operation}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(credential === null ? {} : { authorization: `Bearer ${credential}` }) },
      body: JSON.stringify(body)
    })
    return { status: response.status, body: (await response.json()) as any }
  }
  const registration = (bootId: string) => ({
    bootId,
    follows: null,
    addresses: { rtmp: "rtmp://127.0.0.1:1/live", rtmps: null, playback: "http://127.0.0.1:2/hls" },
    capacity: 10,
    region: null
  })
  const status = async (id: string) => (await job.api("GET", `/livestreams/${id}`)).body.data.livestream.status

  it("refuses a request without a valid credential", async () => {
    assert.strictEqual((await call(null, "heartbeat", {})).status, 401)
    assert.strictEqual((await call(credentialA.slice(0, -2) + "xx", "heartbeat", {})).status, 401)
    assert.strictEqual((await call(credentialA, "no-such-operation", {})).status, 404)
  })

  it("answers a bad body with 400 naming the field", async () => {
    const bad = await call(credentialA, "register", { ...registration("short"), capacity: 10 })
    assert.strictEqual(bad.status, 400)
    assert.match(bad.body.errors[0].message, /^bootId: /)
    const url = await call(credentialA, "register", { ...registration("boot-aaaa1"), addresses: { rtmp: "http://x", rtmps: null, playback: "http://x/hls" } })
    assert.strictEqual(url.status, 400)
    assert.match(url.body.errors[0].message, /addresses\.rtmp/)
    assert.strictEqual((await call(credentialA, "register", "not json")).status, 400)
  })

  it("a second boot of a node is refused while the first holds its lease, unless it follows it", async () => {
    assert.strictEqual((await call(credentialA, "register", registration("boot-aaaa1"))).status, 200)
    const second = await call(credentialA, "register", registration("boot-other"))
    assert.strictEqual(second.status, 409)
    assert.match(second.body.errors[0].message, /held by another running boot/)
    const follows = await call(credentialA, "register", { ...registration("boot-aaaa2"), follows: "boot-aaaa1" })
    assert.strictEqual(follows.status, 200, JSON.stringify(follows.body))
    assert.deepStrictEqual((await call(credentialA, "heartbeat", {
      bootId: "boot-aaaa1",
      load: { streams: 0, cpu: 0, bandwidthIn: 0, bandwidthOut: 0 }
    })).body.data, { leased: false, accepting: false })
  })

  it("one node's reports never end another node's connection", async () => {
    assert.strictEqual((await call(credentialB, "register", registration("boot-bbbb1"))).status, 200)
    const created = (await job.api("POST", "/livestreams", { name: "on b" })).body.data
    const published = await call(credentialB, "publish", {
      bootId: "boot-bbbb1",
      nginxRun: "0a0b0c0d",
      clientId: "7",
      streamName: created.stream_key,
      address: "203.0.113.9"
    })
    assert.strictEqual(published.body.data._tag, "Accepted", JSON.stringify(published.body))
    const ingestId = published.body.data.ingestId as string
    assert.strictEqual(ingestId, "node-b.boot-bbbb1.0a0b0c0d.7")
    assert.strictEqual(await status(created.id), "LIVE")

    // Node a names b's connection: nothing happens.
    assert.strictEqual((await call(credentialA, "publish-done", { ingestId })).status, 200)
    assert.strictEqual((await call(credentialA, "media-lost", { bootId: "boot-bbbb1", message: "forged" })).status, 200)
    const entitled = await call(credentialA, "entitled", { connections: [{ ingestId, livestreamId: created.id }] })
    assert.deepStrictEqual(entitled.body.data.entitled, [])
    assert.strictEqual(await status(created.id), "LIVE")

    // Its own node may.
    assert.deepStrictEqual(
      (await call(credentialB, "entitled", { connections: [{ ingestId, livestreamId: created.id }] })).body.data.entitled,
      [ingestId]
    )
    await call(credentialB, "media-lost", { bootId: "boot-bbbb1", message: "nginx exited" })
    assert.strictEqual(await status(created.id), "ERRORED")
  })

  // The quarter-second first-health loop makes a report and an end arrive together: the one stamped
  // first may be appended second, and an end refused as out of order left the session open for good.
  it("an end arriving with health reports is never lost", async () => {
    const credential = await nodeCredential(secret, "node-c")
    assert.strictEqual((await call(credential, "register", registration("boot-cccc1"))).status, 200)
    const health = {
      width: 640, height: 360, videoCodecId: "avc1.64001e", audioCodecId: "mp4a.40.2",
      videoBitrate: 800_000, audioBitrate: 128_000, videoFps: 30, renditions: []
    }
    const ids = await Promise.all(Array.from({ length: 12 }, async (_, index) => {
      const created = (await job.api("POST", "/livestreams", { name: `race ${index}` })).body.data
      assert.strictEqual((await job.api("PATCH", `/livestreams/${created.id}`, { reconnect_window_seconds: 0 })).status, 200)
      const published = await call(credential, "publish", {
        bootId: "boot-cccc1", nginxRun: "0a0b0c0e", clientId: String(100 + index), streamName: created.stream_key,
        address: "203.0.113.9"
      })
      assert.strictEqual(published.body.data._tag, "Accepted", JSON.stringify(published.body))
      const ingestId = published.body.data.ingestId as string
      const report = () => call(credential, "health", { ingestId, health })
      await Promise.all([report(), report(), call(credential, "publish-done", { ingestId }), report(), report()])
      return created.id as string
    }))
    for (const id of ids) assert.notStrictEqual(await status(id), "LIVE", `livestream ${id} still live after its end`)
  })
})
