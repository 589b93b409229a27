/**
 * Two media nodes under one control plane, on one machine: the control plane is the main job with its
 * embedded node off, each node is `apps/media-node` with its own nginx, ports and folder, and the
 * publishers are real ffmpeg processes. One node's death ends its own sessions (with `internal error` and
 * an `ingest.failure` webhook) within the lease and touches nothing of the other's; its restart touches
 * nothing of the other's either; a drained node refuses new publishers and keeps the one it has.
 */
import { createHash, randomBytes } from "node:crypto"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import {
  type Encoder,
  type MainJob,
  type MediaNode,
  probe,
  publish,
  type Receiver,
  sleep,
  startMainJob,
  startMediaNode,
  startReceiver,
  waitFor
} from "@onair/test-support"

/** The lease the issue sets: no session stays live for longer than this after its node is gone. */
const LEASE_SECONDS = 10

describe("media nodes: two nodes under one control plane", { timeout: 240_000 }, () => {
  const secret = randomBytes(32).toString("base64url")
  let job: MainJob
  let nodeA: MediaNode
  let nodeB: MediaNode
  let receiver: Receiver
  const encoders: Array<Encoder> = []

  beforeAll(async () => {
    job = await startMainJob({ ONAIR_MEDIA: "off", ONAIR_MEDIA_NODE_SECRET: secret })
    ;[nodeA, nodeB] = await Promise.all([
      startMediaNode(job.url, secret, "node-a", { env: { ONAIR_NODE_REGION: "eu-west" } }),
      startMediaNode(job.url, secret, "node-b")
    ])
    receiver = await startReceiver()
    const endpoint = await job.api("POST", "/webhooks", {
      url: receiver.url,
      events: ["ingest.failure", "ingest.start.failure"]
    })
    assert.strictEqual(endpoint.status, 201, JSON.stringify(endpoint.body))
  }, 150_000)
  afterAll(async () => {
    await Promise.all(encoders.map((encoder) => encoder.stop()))
    await Promise.all([nodeA?.stop(), nodeB?.stop()])
    await receiver?.close()
    await job?.stop()
  })

  const admin = async (method: string, path: string) => {
    const response = await fetch(`${job.url}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${job.adminToken}` }
    })
    return { status: response.status, body: (await response.json()) as any }
  }
  const nodes = async () => (await admin("GET", "/media-nodes")).body.data.media_nodes as Array<any>
  const nodeRecord = async (id: string) => (await nodes()).find((node) => node.id === id)
  const create = async () => {
    const created = await job.api("POST", "/livestreams", { name: "nodes" })
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    return created.body.data as { id: string; stream_key: string; playback_url: string }
  }
  const detail = async (id: string) => (await job.api("GET", `/livestreams/${id}`)).body.data
  const ingest = async (id: string) => (await job.api("GET", `/livestreams/${id}/ingest`)).body.data
  const waitStatus = (id: string, expected: string, timeoutMs?: number) =>
    waitFor(
      `livestream ${expected}`,
      async () => {
        const livestream = (await detail(id)).livestream
        return livestream.status === expected ? livestream : undefined
      },
      timeoutMs
    )
  const publishTo = (node: MediaNode, key: string) => {
    const encoder = publish(`rtmp://127.0.0.1:${node.rtmpPort}/live/${key}`)
    encoders.push(encoder)
    return encoder
  }

  let onA: { id: string; stream_key: string; playback_url: string }
  let onB: { id: string; stream_key: string; playback_url: string }
  let encoderB: Encoder
  let sessionB: string

  it("both nodes register; a publish to each goes LIVE there and plays through the control plane's playback URL", async () => {
    const registered = await nodes()
    assert.deepStrictEqual(registered.map((node) => [node.id, node.status]).sort(), [
      ["node-a", "active"],
      ["node-b", "active"]
    ])
    const a = registered.find((node) => node.id === "node-a")
    assert.strictEqual(a.rtmp_url, `rtmp://127.0.0.1:${nodeA.rtmpPort}/live`)
    assert.strictEqual(a.playback_url, `http://127.0.0.1:${nodeA.httpPort}/hls`)
    assert.strictEqual(a.region, "eu-west")

    onA = await create()
    onB = await create()
    publishTo(nodeA, onA.stream_key)
    encoderB = publishTo(nodeB, onB.stream_key)
    await Promise.all([waitStatus(onA.id, "LIVE"), waitStatus(onB.id, "LIVE")])
    sessionB = (await ingest(onB.id)).sessionId
    await waitFor("each node to hold its stream", async () => {
      const [recordA, recordB] = [await nodeRecord("node-a"), await nodeRecord("node-b")]
      return recordA.streams === 1 && recordB.streams === 1 ? true : undefined
    })
    // The control plane's /hls sends the player to the node holding the session.
    const redirect = await waitFor("B's playlist", async () => {
      const answer = await fetch(onB.playback_url.replace("localhost", "127.0.0.1"), { redirect: "manual" })
      return answer.status === 302 ? answer : undefined
    })
    assert.strictEqual(redirect.headers.get("location"), `http://127.0.0.1:${nodeB.httpPort}/hls/${onB.id}/index.m3u8`)
    const streams = await waitFor(
      "B's playback URL to play",
      async () => {
        const found = await probe(onB.playback_url.replace("localhost", "127.0.0.1")).catch(() => [])
        return found.some((stream) => stream.codec_name === "h264") ? found : undefined
      },
      30_000
    )
    assert.isTrue(streams.some((stream) => stream.codec_name === "aac"))
    // The live thumbnail comes from the node holding the session.
    const thumbnail = await fetch(
      `${job.url}/accounts/${job.account}/realtime/kit/${job.app}/livestreams/${onB.id}/thumbnail.jpg`,
      { headers: { authorization: `Bearer ${job.token}` }, redirect: "manual" }
    )
    assert.strictEqual(
      thumbnail.headers.get("location"),
      `http://127.0.0.1:${nodeB.httpPort}/hls/${onB.id}/thumbnail.jpg`
    )
    const image = await fetch(thumbnail.headers.get("location")!)
    assert.strictEqual(image.headers.get("content-type"), "image/jpeg")
  })

  it("placement: ingest_server names the least loaded node, a pin is kept, and a publish to a node it excludes is refused", async () => {
    // A holds one stream and B one: the next one goes to the node with fewer for its capacity, by id on a tie.
    const rtmpOf = (node: MediaNode) => `rtmp://127.0.0.1:${node.rtmpPort}/live/`
    const fresh = await create()
    assert.include([rtmpOf(nodeA), rtmpOf(nodeB)], (await detail(fresh.id)).livestream.ingest_server)
    // A live livestream names the node holding it, and (no public playback base configured) its playback.
    await waitFor("B's livestream to name B", async () => {
      const livestream = (await detail(onB.id)).livestream
      return livestream.ingest_server === rtmpOf(nodeB) &&
        livestream.playback_url === `http://127.0.0.1:${nodeB.httpPort}/hls/${onB.id}/index.m3u8`
        ? true
        : undefined
    })

    const pinned = await job.api("POST", "/livestreams", { name: "pinned", region: "eu-west" })
    assert.strictEqual(pinned.status, 201, JSON.stringify(pinned.body))
    assert.strictEqual(pinned.body.data.ingest_server, rtmpOf(nodeA))
    const encoder = publishTo(nodeB, pinned.body.data.stream_key)
    assert.notStrictEqual(
      await Promise.race([encoder.exited, sleep(15_000).then(() => "still running")]),
      "still running"
    )
    await waitFor("the refusal's ingest.start.failure", async () =>
      receiver.received
        .map((request) => JSON.parse(request.body))
        .some(
          (body) =>
            body.type === "ingest.start.failure" &&
            body.data.livestream_id === pinned.body.data.id &&
            // The seed's words for it, OnAir's beside them.
            body.data.error_message === "remote session active" &&
            body.data.onair_reason === "wrong media node"
        )
        ? true
        : undefined
    )

    const repinned = await job.api("PATCH", `/livestreams/${fresh.id}`, { media_node: "node-b" })
    assert.strictEqual(repinned.status, 200, JSON.stringify(repinned.body))
    assert.strictEqual(repinned.body.data.ingest_server, rtmpOf(nodeB))
    const bad = await job.api("PATCH", `/livestreams/${fresh.id}`, { media_node: "Not A Node!" })
    assert.strictEqual(bad.status, 400)
    assert.match(JSON.stringify(bad.body), /media_node/)
  })

  it(`SIGKILL of node A ends A's session with internal error within ${LEASE_SECONDS} s; B's stays LIVE and plays`, async () => {
    const killedAt = Date.now()
    await nodeA.kill()
    const ended = await waitFor(
      "A's session to end",
      async () => {
        const record = await ingest(onA.id)
        return record.streamEndedReason !== null && record.endTime !== null ? record : undefined
      },
      30_000
    )
    const endedAfter = (Date.now() - killedAt) / 1000
    console.log(`node death -> its session ended: ${endedAfter.toFixed(2)} s (lease ${LEASE_SECONDS} s)`)
    assert.isAtMost(endedAfter, LEASE_SECONDS, "the stuck-stream promise: no session live for longer than the lease")
    assert.strictEqual(ended.streamEndedReason, 4, "internal error")
    assert.notStrictEqual((await detail(onA.id)).livestream.status, "LIVE")
    await waitFor("the ingest.failure webhook", async () =>
      receiver.received
        .map((request) => JSON.parse(request.body))
        .some(
          (body) =>
            body.type === "ingest.failure" &&
            body.data.livestream_id === onA.id &&
            body.data.error_message === "internal error"
        )
        ? true
        : undefined
    )
    assert.strictEqual((await nodeRecord("node-a")).status, "lost")
    // Its recording went with it.
    const lostRecording = (await job.api("GET", `/livestreams/${onA.id}/recordings`)).body.data.recordings[0]
    assert.deepStrictEqual(
      [lostRecording.status, lostRecording.phase, lostRecording.failure_reason],
      ["ERRORED", "failed", "media node lost"]
    )

    assert.strictEqual((await detail(onB.id)).livestream.status, "LIVE")
    assert.strictEqual(encoderB.output().includes("Error"), false, encoderB.output())
    const streams = await probe(onB.playback_url.replace("localhost", "127.0.0.1"))
    assert.isTrue(streams.some((stream) => stream.codec_name === "h264"))

    const feed = (await admin("GET", "/media-nodes/events")).body.data.events as Array<any>
    assert.isTrue(feed.some((event) => event.type === "MediaNodeLost" && event.node_id === "node-a"))
    assert.isTrue(feed.some((event) => event.type === "MediaNodeRegistered" && event.node_id === "node-b"))
  })

  it("node A restarts on its folder and registers; B's session is untouched", async () => {
    nodeA = await startMediaNode(job.url, secret, "node-a", { dataDir: nodeA.dataDir })
    await waitFor("A to be active again", async () =>
      (await nodeRecord("node-a"))?.status === "active" ? true : undefined
    )
    // Give a wrong restart every chance to reach B's session: B's encoder sends 3 s more, uncut.
    await encoderB.hasSent(encoderB.sentSeconds() + 3)
    await job.settled()
    const livestream = (await detail(onB.id)).livestream
    assert.strictEqual(livestream.status, "LIVE")
    assert.strictEqual((await ingest(onB.id)).sessionId, sessionB)
    assert.strictEqual((await ingest(onB.id)).streamEndedReason, null)
    assert.strictEqual((await nodeRecord("node-b")).streams, 1)
    // A takes publishers again.
    const again = await create()
    publishTo(nodeA, again.stream_key)
    await waitStatus(again.id, "LIVE")
  })

  it("a drained node B refuses a new publish with its reason and keeps its live one", async () => {
    const drained = await admin("POST", "/media-nodes/node-b/drain")
    assert.strictEqual(drained.status, 200, JSON.stringify(drained.body))
    assert.strictEqual(drained.body.data.status, "draining")
    const refused = await create()
    const encoder = publishTo(nodeB, refused.stream_key)
    const code = await Promise.race([encoder.exited, sleep(15_000).then(() => "still running")])
    assert.notStrictEqual(code, "still running", "the publish to a drained node was not refused")
    assert.notStrictEqual(code, 0)
    // Nothing opened: the livestream still waits for its first publisher, and the refusal says why.
    assert.strictEqual((await detail(refused.id)).livestream.status, "INVOKED")
    await waitFor("the ingest.start.failure webhook", async () =>
      receiver.received
        .map((request) => JSON.parse(request.body))
        .some(
          (body) =>
            body.type === "ingest.start.failure" &&
            body.data.livestream_id === refused.id &&
            body.data.error_message === "internal error" &&
            body.data.onair_reason === "media node not accepting"
        )
        ? true
        : undefined
    )
    assert.strictEqual((await detail(onB.id)).livestream.status, "LIVE")
    assert.strictEqual((await nodeRecord("node-b")).streams, 1)
    const feed = (await admin("GET", "/media-nodes/events")).body.data.events as Array<any>
    assert.isTrue(feed.some((event) => event.type === "MediaNodeDrained" && event.node_id === "node-b"))

    const resumed = await admin("POST", "/media-nodes/node-b/resume")
    assert.strictEqual(resumed.body.data.status, "active")
    assert.strictEqual((await admin("POST", "/media-nodes/no-such-node/drain")).status, 404)
  })

  it("a node stopped cleanly (SIGTERM) gives its lease up: offline, not lost", async () => {
    await nodeA.stop()
    await waitFor("A to be offline", async () => ((await nodeRecord("node-a")).status === "offline" ? true : undefined))
    // Well past the lease: nothing declares a node lost that left of its own accord. (A real lease running
    // out is what is under test, so its time passes.)
    await sleep((LEASE_SECONDS + 2) * 1000)
    await job.settled()
    assert.strictEqual((await nodeRecord("node-a")).status, "offline")
    const feed = (await admin("GET", "/media-nodes/events")).body.data.events as Array<any>
    assert.strictEqual(feed.filter((event) => event.type === "MediaNodeLost" && event.node_id === "node-a").length, 1)
    assert.strictEqual((await detail(onB.id)).livestream.status, "LIVE")
  })

  it("B's recording, kept on B's disk, downloads through the control plane's link: a redirect to B, checked with B's credential", async () => {
    // A WHEP offer (and a viewer's end) goes to the node holding it too: 307, so it is sent again as it was.
    const whepAtApi = onB.playback_url.replace("localhost", "127.0.0.1").replace(/index\.m3u8$/, "whep")
    const offered = await fetch(whepAtApi, {
      method: "POST",
      headers: { "content-type": "application/sdp" },
      body: "v=0\r\n",
      redirect: "manual"
    })
    assert.strictEqual(offered.status, 307)
    assert.strictEqual(offered.headers.get("location"), `http://127.0.0.1:${nodeB.httpPort}/hls/${onB.id}/whep`)
    const ended = await fetch(`${whepAtApi}/${"0".repeat(32)}`, { method: "DELETE", redirect: "manual" })
    assert.strictEqual(ended.status, 307)
    // B's broadcast is not realtime: its node says so.
    const atNode = await fetch(whepAtApi, {
      method: "POST",
      headers: { "content-type": "application/sdp" },
      body: "v=0\r\n"
    })
    assert.strictEqual(atNode.status, 404)
    assert.include(await atNode.text(), "latency_mode is not realtime")
    assert.strictEqual((await job.api("PATCH", `/livestreams/${onB.id}`, { reconnect_window_seconds: 0 })).status, 200)
    await encoderB.stop()
    const ready = await waitFor(
      "B's recording ready",
      async () => {
        const recording = (await job.api("GET", `/recordings/${sessionB}`)).body?.data
        return recording?.phase === "ready" ? recording : undefined
      },
      60_000
    )
    assert.strictEqual(ready.storage, "local")
    const redirect = await fetch(ready.download_url, { redirect: "manual" })
    assert.strictEqual(redirect.status, 302)
    const location = redirect.headers.get("location")!
    assert.match(
      location,
      new RegExp(
        `^http://127\\.0\\.0\\.1:${nodeB.httpPort}/recording-files/${sessionB}/recording\\.mp4\\?expires=\\d+&signature=`
      )
    )
    const bytes = new Uint8Array(await (await fetch(ready.download_url)).arrayBuffer())
    assert.strictEqual(createHash("sha256").update(bytes).digest("hex"), ready.sha256)
    const part = await fetch(location, { headers: { range: "bytes=0-9" } })
    assert.strictEqual(part.status, 206)
    // B answers only what the control plane signed for B: another file under the same signature is refused.
    assert.strictEqual((await fetch(location.replace("recording.mp4", "poster.jpg"))).status, 403)
    assert.include(await (await fetch(ready.playback_url)).text(), "#EXT-X-ENDLIST")
  })
})
