/**
 * The node API as a node of its own speaks it, over real HTTP to the main job (no nginx: the requests are
 * the ones a node's agent sends): a credential speaks for its own node only, a registration is refused
 * while another running boot holds the node, bad bodies answer 400 naming the field, and one node's
 * reports never touch another node's connections.
 */
import { randomBytes } from "node:crypto"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type MainJob, nodeCredential, startMainJob, waitFor } from "@onair/test-support"
import * as NodeCredentials from "../src/control/NodeCredentials.ts"
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

/** A health report of a 640x360 stream, as a node sends it from nginx's `/stat`. */
const health = {
  width: 640,
  height: 360,
  videoCodecId: "avc1.64001e",
  audioCodecId: "mp4a.40.2",
  videoBitrate: 800_000,
  audioBitrate: 128_000,
  videoFps: 30,
  renditions: []
}

describe("the node API", { timeout: 120_000 }, () => {
  const secret = randomBytes(32).toString("base64url")
  let job: MainJob
  let credentialA: string
  let credentialB: string

  beforeAll(async () => {
    job = await startMainJob({ ONAIR_MEDIA: "off", ONAIR_MEDIA_NODE_SECRET: secret, ONAIR_SRT_PORTS: "47100-47107" })
    ;[credentialA, credentialB] = await Promise.all([
      nodeCredential(secret, "node-a"),
      nodeCredential(secret, "node-b")
    ])
  }, 90_000)
  afterAll(async () => {
    await job?.stop()
  })

  const call = async (credential: string | null, operation: string, body: unknown) => {
    const response = await fetch(`${job.url}/media-nodes/v1/${operation}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(credential === null ? {} : { authorization: `Bearer ${credential}` })
      },
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
    assert.strictEqual((await call(`${credentialA.slice(0, -2)}xx`, "heartbeat", {})).status, 401)
    assert.strictEqual((await call(credentialA, "no-such-operation", {})).status, 404)
  })

  it("answers a bad body with 400 naming the field", async () => {
    const bad = await call(credentialA, "register", { ...registration("short"), capacity: 10 })
    assert.strictEqual(bad.status, 400)
    assert.match(bad.body.errors[0].message, /^bootId: /)
    const url = await call(credentialA, "register", {
      ...registration("boot-aaaa1"),
      addresses: { rtmp: "http://x", rtmps: null, playback: "http://x/hls" }
    })
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
    assert.deepStrictEqual(
      (
        await call(credentialA, "heartbeat", {
          bootId: "boot-aaaa1",
          load: { streams: 0, cpu: 0, bandwidthIn: 0, bandwidthOut: 0 }
        })
      ).body.data,
      { leased: false, accepting: false }
    )
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
      (await call(credentialB, "entitled", { connections: [{ ingestId, livestreamId: created.id }] })).body.data
        .entitled,
      [ingestId]
    )
    await call(credentialB, "media-lost", { bootId: "boot-bbbb1", message: "nginx exited" })
    assert.strictEqual(await status(created.id), "ERRORED")
  })

  it("a credential acts on what its own node holds, and on nothing before its node registered", async () => {
    const [stranger, credentialD, credentialE] = (await Promise.all(
      ["node-x", "node-d", "node-e"].map((node) => nodeCredential(secret, node))
    )) as [string, string, string]
    assert.strictEqual((await call(credentialD, "register", registration("boot-dddd1"))).status, 200)
    assert.strictEqual((await call(credentialE, "register", registration("boot-eeee1"))).status, 200)
    // Node d's broadcast: a livestream pinned to d with SRT on, published on d, recorded on d.
    const created = (await job.api("POST", "/livestreams", { name: "on d", media_node: "node-d" })).body.data
    assert.strictEqual((await job.api("PUT", `/livestreams/${created.id}/srt`)).status, 200)
    const published = await call(credentialD, "publish", {
      bootId: "boot-dddd1",
      nginxRun: "0d0d0d0d",
      clientId: "1",
      streamName: created.stream_key,
      address: "203.0.113.4"
    })
    assert.strictEqual(published.body.data._tag, "Accepted", JSON.stringify(published.body))
    const { ingestId, sessionId } = published.body.data as { ingestId: string; sessionId: string }
    assert.strictEqual((await call(credentialD, "health", { ingestId, health })).status, 200)
    const session = async () => (await job.api("GET", `/livestreams/sessions/${sessionId}`)).body.data
    const recording = async () => (await job.api("GET", `/recordings/${sessionId}`)).body.data
    const recordingBefore = await recording()

    // Every operation that names something, with a credential whose node never registered: 403, nothing done.
    const named: ReadonlyArray<readonly [string, unknown]> = [
      [
        "publish",
        {
          bootId: "boot-xxxx1",
          nginxRun: "0e0e0e0e",
          clientId: "1",
          streamName: created.stream_key,
          address: "203.0.113.5"
        }
      ],
      ["publish-done", { ingestId }],
      ["health", { ingestId, health: { ...health, width: 1 } }],
      ["manifest", { ingestId }],
      ["renditions-refused", { ingestId, reason: "no cpu budget", renditions: ["480p"] }],
      ["srt-listeners", {}],
      ["entitled", { connections: [{ ingestId, livestreamId: created.id }] }],
      ["media-lost", { bootId: "boot-dddd1", message: "forged" }],
      ["playback", { livestreamId: created.id, withHealth: true }],
      ["open-sessions", { sessionIds: [sessionId] }],
      ["viewer-seconds", { commandId: "forged-1", sessionId, seconds: 987_654 }],
      ["recording-finalise", { sessionId }],
      ["recordings-kept", { sessionIds: [sessionId] }],
      ["recording-failed", { sessionId, reason: "no media" }],
      ["transcription-started", { sessionId }],
      ["transcription-failed", { sessionId, reason: "engine failed" }],
      ["relays", { progress: [] }],
      ["relay-failed", { targetId: "rs_abcdefghijklmnopqrstuvwx", sessionId, reason: "unreachable" }]
    ]
    for (const [operation, body] of named) {
      const answer = await call(stranger, operation, body)
      assert.strictEqual(answer.status, 403, `${operation}: ${JSON.stringify(answer.body)}`)
      assert.strictEqual(answer.body.errors[0].code, "not_registered", operation)
    }
    // A boot told it holds no lease registers: heartbeat and leave answer it.
    const beat = await call(stranger, "heartbeat", {
      bootId: "boot-xxxx1",
      load: { streams: 0, cpu: 0, bandwidthIn: 0, bandwidthOut: 0 }
    })
    assert.deepStrictEqual(beat.body.data, { leased: false, accepting: false })

    // Node e, registered, on d's session, livestream, recording and SRT port: nothing of d's.
    const refusedSeconds = await call(credentialE, "viewer-seconds", {
      commandId: "forged-2",
      sessionId,
      seconds: 987_654
    })
    assert.strictEqual(refusedSeconds.status, 409, JSON.stringify(refusedSeconds.body))
    assert.deepStrictEqual((await call(credentialE, "open-sessions", { sessionIds: [sessionId] })).body.data.open, [])
    const seen = (await call(credentialE, "playback", { livestreamId: created.id, withHealth: true })).body.data.session
    assert.strictEqual(seen.nodeId, "node-d", "where it is served, for the redirect")
    assert.isNull(seen.health)
    assert.deepStrictEqual((await call(credentialE, "srt-listeners", {})).body.data.listeners, [])
    assert.deepStrictEqual((await call(credentialE, "recording-finalise", { sessionId })).body.data, {
      finalise: false,
      transcribe: false
    })
    assert.deepStrictEqual((await call(credentialE, "recordings-kept", { sessionIds: [sessionId] })).body.data.kept, [])
    for (const [operation, body] of named.filter(([operation]) =>
      ["health", "manifest", "renditions-refused", "publish-done", "recording-failed", "transcription-failed"].includes(
        operation
      )
    )) {
      assert.strictEqual((await call(credentialE, operation, body)).status, 200, operation)
    }
    assert.deepStrictEqual((await call(credentialE, "relays", { progress: [] })).body.data.relays, [])

    // Nothing changed: d's session, recording and connection are as d left them.
    assert.strictEqual((await session()).viewer_seconds, 0)
    assert.deepStrictEqual(await recording(), recordingBefore)
    assert.strictEqual(await status(created.id), "LIVE")
    assert.strictEqual((await job.api("GET", `/livestreams/${created.id}/ingest`)).body.data.width, 640)

    // Node d may do each.
    assert.strictEqual(
      (await call(credentialD, "viewer-seconds", { commandId: "own-1", sessionId, seconds: 12 })).status,
      200
    )
    await waitFor("the viewer seconds counted", async () =>
      (await session()).viewer_seconds === 12 ? true : undefined
    )
    assert.deepStrictEqual((await call(credentialD, "open-sessions", { sessionIds: [sessionId] })).body.data.open, [
      sessionId
    ])
    assert.isNotNull(
      (await call(credentialD, "playback", { livestreamId: created.id, withHealth: true })).body.data.session.health
    )
    const listeners = (await call(credentialD, "srt-listeners", {})).body.data.listeners
    assert.deepStrictEqual(
      listeners.map((listener: any) => listener.livestreamId),
      [created.id]
    )
  })

  it("one app holds at most its quota of the SRT range, and the 409 says so", async () => {
    // The range has 8 ports: each app's quota is a quarter of it.
    const other = await fetch(`${job.url}/admin/accounts/acct_other/apps`, {
      method: "POST",
      headers: { authorization: `Bearer ${job.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ id: "app_other", name: "another tenant" })
    })
    assert.strictEqual(other.status, 201)
    const token = (
      (await (
        await fetch(`${job.url}/admin/accounts/acct_other/tokens`, {
          method: "POST",
          headers: { authorization: `Bearer ${job.adminToken}`, "content-type": "application/json" },
          body: JSON.stringify({ apps: ["app_other"], label: "other" })
        })
      ).json()) as any
    ).data.token as string
    const otherApi = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${job.url}/accounts/acct_other/realtime/kit/app_other${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" })
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      return { status: response.status, body: (await response.json()) as any }
    }
    // The test app already holds one port (the livestream pinned to node d); eleven more at once.
    const mine = await Promise.all(
      Array.from({ length: 11 }, async (_, index) => {
        const created = (await job.api("POST", "/livestreams", { name: `srt ${index}` })).body.data
        return job.api("PUT", `/livestreams/${created.id}/srt`)
      })
    )
    const granted = mine.filter((answer) => answer.status === 200)
    assert.strictEqual(granted.length, 1, mine.map((answer) => answer.status).join(", "))
    const refused = mine.find((answer) => answer.status === 409)!
    assert.strictEqual(refused.body.errors[0].code, "srt_port_quota")
    assert.match(refused.body.errors[0].message, /hold 2 SRT port\(s\), its quota \(ONAIR_SRT_PORTS_PER_APP\)/)
    // Another tenant still gets one.
    const theirs = (await otherApi("POST", "/livestreams", { name: "theirs" })).body.data
    const answer = await otherApi("PUT", `/livestreams/${theirs.id}/srt`)
    assert.strictEqual(answer.status, 200, JSON.stringify(answer.body))
  })

  // The quarter-second first-health loop makes a report and an end arrive together: the one stamped
  // first may be appended second, and an end refused as out of order left the session open for good.
  it("an end arriving with health reports is never lost", async () => {
    const credential = await nodeCredential(secret, "node-c")
    assert.strictEqual((await call(credential, "register", registration("boot-cccc1"))).status, 200)
    const ids = await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        const created = (await job.api("POST", "/livestreams", { name: `race ${index}` })).body.data
        assert.strictEqual(
          (await job.api("PATCH", `/livestreams/${created.id}`, { reconnect_window_seconds: 0 })).status,
          200
        )
        const published = await call(credential, "publish", {
          bootId: "boot-cccc1",
          nginxRun: "0a0b0c0e",
          clientId: String(100 + index),
          streamName: created.stream_key,
          address: "203.0.113.9"
        })
        assert.strictEqual(published.body.data._tag, "Accepted", JSON.stringify(published.body))
        const ingestId = published.body.data.ingestId as string
        const report = () => call(credential, "health", { ingestId, health })
        await Promise.all([report(), report(), call(credential, "publish-done", { ingestId }), report(), report()])
        return created.id as string
      })
    )
    for (const id of ids) assert.notStrictEqual(await status(id), "LIVE", `livestream ${id} still live after its end`)
  })
})
