/// <reference lib="dom" />
/**
 * WHIP end to end. Headless Chromium (Debian's, with a fake camera and microphone) publishes over
 * WebRTC to the main job's `/whip/<key>`, from a page on another origin. The stream goes through the
 * same pipeline as RTMP: ffprobe reads H.264 and AAC at the camera's size from the `playback_url`, and
 * hls.js plays it in the browser.
 *
 * The views say WebRTC: `encoderType` `webrtc`, `isRtmpSession` false, `protocol` `webrtc`, and
 * `protocolType` `WebRTC` in the health. The same refusals as RTMP apply (unknown key, disabled). The
 * publisher's `DELETE` ends the session, and so does disabling the livestream. A local process cannot
 * push into the bridges' loopback gateway without the publish's one-time token.
 */
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import { createRequire } from "node:module"
import type { AddressInfo } from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import type { Browser, Page } from "playwright-core"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type MainJob, probe, publish, sleep, startMainJob, waitFor } from "@onair/test-support"
import { FAKE_MEDIA_FLAGS, launchChromium, publishOverWhip } from "@onair/test-support/browser"

const require = createRequire(import.meta.url)
const HLS_JS = require.resolve("hls.js/dist/hls.min.js")
/**
 * The publisher's and the player's pages, served on a loopback port of their own: an origin other than
 * the API's, and a secure context (localhost) where a page may use the camera.
 */
const servePages = async (): Promise<{ readonly origin: string; readonly close: () => void }> => {
  const server = Http.createServer((request, response) => {
    response.writeHead(200, { "content-type": "text/html" })
    response.end(
      request.url === "/player"
        ? "<!doctype html><title>player</title><video muted playsinline></video>"
        : "<!doctype html><title>publisher</title>"
    )
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return { origin: `http://localhost:${port}`, close: () => server.close() }
}

const FLOODER = Path.join(import.meta.dirname, "support", "WhipFlood.ts")

/** This job's WHIP UDP range: no other test binds it, so every socket in it is this job's. */
const WHIP_PORTS = [41_700, 41_799] as const

/** UDP sockets bound on this machine to a port of `range`. */
const udpSocketsIn = (range: readonly [number, number]): number => {
  let count = 0
  for (const table of ["/proc/net/udp", "/proc/net/udp6"]) {
    const lines = Fs.existsSync(table) ? Fs.readFileSync(table, "utf8").split("\n").slice(1) : []
    for (const line of lines) {
      const local = line.trim().split(/\s+/)[1]
      const port = local === undefined ? NaN : parseInt(local.split(":")[1] ?? "", 16)
      if (port >= range[0] && port <= range[1]) count += 1
    }
  }
  return count
}

/** The offer a page makes for its (fake) camera and microphone, as a WHIP publisher sends it. */
const cameraOffer = (page: Page) =>
  page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true })
    const pc = new RTCPeerConnection()
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: "sendonly" })
    await pc.setLocalDescription(await pc.createOffer())
    return pc.localDescription!.sdp
  })

const median = (values: ReadonlyArray<number>): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/**
 * A video section that offers its first H.264 payload type alone, without header extensions or sources
 * (Chromium's offers a dozen codecs): about the review's 700 bytes.
 */
const h264Only = (section: string): string => {
  const lines = section.split("\r\n")
  const payload = /^a=rtpmap:(\d+) H264\/90000/m.exec(section)![1]!
  const [m, kind, port, proto] = lines[0]!.split(" ")
  const codecLine = /^a=(rtpmap|fmtp|rtcp-fb):(\d+)/
  return [
    `${m} ${kind} ${port} ${proto} ${payload}`,
    ...lines
      .slice(1)
      .filter(
        (line) =>
          (!codecLine.test(line) || codecLine.exec(line)![2] === payload) &&
          !/^a=(extmap|ssrc|ssrc-group|msid):/.test(line)
      )
  ].join("\r\n")
}

/**
 * The review's reproduction: `offer`'s video section, H.264 alone, repeated under new mids until the
 * offer is `bytes` long (300 KB holds over 400 sections).
 */
const floodOffer = (offer: string, bytes: number): string => {
  const [session, ...sections] = offer.split(/\r\n(?=m=)/)
  const video = h264Only(sections.find((section) => section.startsWith("m=video"))!)
  const copies: Array<string> = []
  let size = session!.length
  for (let mid = 100; size < bytes; mid++) {
    const copy = video.replace(/a=mid:\S+/, `a=mid:${mid}`)
    copies.push(copy)
    size += copy.length + 2
  }
  return [session, ...copies].join("\r\n")
}

describe("WHIP ingest, with Chromium as the publisher", { timeout: 120_000 }, () => {
  let job: MainJob
  let browser: Browser
  let closeBrowser: () => Promise<void>
  let pages: Awaited<ReturnType<typeof servePages>>

  beforeAll(async () => {
    pages = await servePages()
    job = await startMainJob({
      ONAIR_WHIP_HOST_ADDRESSES: "127.0.0.1",
      ONAIR_WHIP_UDP_PORTS: `${WHIP_PORTS[0]}-${WHIP_PORTS[1]}`,
      ONAIR_WHIP_MAX_PENDING_PER_ADDRESS: "2"
    })
    ;({ browser, close: closeBrowser } = await launchChromium(FAKE_MEDIA_FLAGS))
  }, 90_000)
  afterAll(async () => {
    await closeBrowser?.()
    await job?.stop()
    pages?.close()
  })

  const publisherPage = async () => {
    const page = await browser.newPage()
    await page.goto(`${pages.origin}/publisher`)
    return page
  }
  const create = async (window: number) => {
    const created = await job.api("POST", "/livestreams", { name: "whip" })
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    await job.api("PATCH", `/livestreams/${created.body.data.id}`, { reconnect_window_seconds: window })
    return created.body.data as { id: string; stream_key: string; playback_url: string }
  }
  const detail = async (id: string) => (await job.api("GET", `/livestreams/${id}`)).body.data.livestream
  const ingest = async (id: string) => (await job.api("GET", `/livestreams/${id}/ingest`)).body.data
  const status = async (id: string) => (await job.api("POST", `/livestreams/${id}/getStatus`)).body.value[0]

  it("an offer flood is answered before any socket opens, and other clients do not wait for it", async () => {
    const page = await publisherPage()
    const offer = await cameraOffer(page)
    await page.close()
    const post = (key: string, body: string) =>
      fetch(`${job.url}/whip/${key}`, {
        method: "POST",
        headers: { "content-type": "application/sdp" },
        body,
        signal: AbortSignal.timeout(20_000)
      })
    const madeUp = "k".repeat(40)
    const huge = floodOffer(offer, 300_000)
    assert.isAtLeast(huge.split("\r\nm=").length - 1, 400, "the reproduction's 428 sections")
    // Under the size limit, but with a section per ICE transport: refused for its shape.
    const manySections = floodOffer(offer, 60_000)
    const justOver = `${offer}a=x:${"y".repeat(70_000 - offer.length)}\r\n`

    const list = async () => {
      const started = performance.now()
      const answer = await job.api("GET", "/livestreams")
      assert.strictEqual(answer.status, 200)
      return performance.now() - started
    }
    /** `count` lists, one every 5 ms (a pace, not a wait for something): another client's requests. */
    const lists = async (count: number) => {
      const took: Array<number> = []
      for (let i = 0; i < count; i++) {
        took.push(await list())
        await sleep(5)
      }
      return took
    }
    await lists(20)
    // The attacker, a process of its own: the review's reproduction (three 300 KB offers at once) and three
    // 60 KB offers of many sections, all at once every 50 ms, while this client lists livestreams. Quiet and
    // flooded phases take turns, so a load the machine has from elsewhere weighs on both alike.
    const bodies = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-whip-flood-"))
    Fs.writeFileSync(Path.join(bodies, "huge.sdp"), huge)
    Fs.writeFileSync(Path.join(bodies, "sections.sdp"), manySections)
    const files = [...Array(3).fill(Path.join(bodies, "huge.sdp")), ...Array(3).fill(Path.join(bodies, "sections.sdp"))]
    const flooder = spawn(process.execPath, [FLOODER, `${job.url}/whip/${madeUp}`, "50", ...files], {
      stdio: ["pipe", "pipe", "inherit"]
    })
    let said = ""
    flooder.stdout!.on("data", (chunk: Buffer) => (said += String(chunk)))
    const idle: Array<number> = []
    const flooded: Array<number> = []
    let sockets = 0
    for (let phase = 0; phase < 6; phase++) {
      idle.push(...(await lists(40)))
      const acknowledged = said.split("flooding").length
      flooder.stdin!.write("on\n")
      await waitFor("the flood to start", async () => (said.split("flooding").length > acknowledged ? true : undefined))
      flooded.push(...(await lists(40)))
      sockets = Math.max(sockets, udpSocketsIn(WHIP_PORTS))
      const quieted = said.split("quiet").length
      flooder.stdin!.write("off\n")
      await waitFor("the flood to stop", async () => (said.split("quiet").length > quieted ? true : undefined))
    }
    const exited = new Promise((resolve) => flooder.once("exit", resolve))
    flooder.stdin!.end()
    await exited
    Fs.rmSync(bodies, { recursive: true, force: true })
    const counts = JSON.parse(said.trim().split("\n").at(-1)!) as Record<string, number>
    console.log(
      `WHIP flood: GET …/livestreams median ${median(idle).toFixed(2)} ms quiet, ${median(flooded).toFixed(2)} ms under the flood; the flood was answered ${JSON.stringify(counts)}`
    )
    assert.deepStrictEqual(Object.keys(counts).sort(), ["400", "413"], JSON.stringify(counts))
    assert.strictEqual(sockets, 0, "a socket was opened for a flooding offer")
    assert.isAtMost(
      median(flooded),
      2 * median(idle),
      `quiet ${idle.map((ms) => ms.toFixed(2)).join(", ")}; flooded ${flooded.map((ms) => ms.toFixed(2)).join(", ")}`
    )
    // The shape's refusal names what is wrong.
    const refusedShape = await post(madeUp, manySections)
    assert.strictEqual(refusedShape.status, 400)
    assert.match((await refusedShape.json()).errors[0].message, /^offer: \d+ video and \d+ audio sections/)

    // The 64 KiB limit holds for a body just over it, declared or chunked.
    assert.strictEqual((await post(madeUp, justOver)).status, 413)
    const chunked = await fetch(`${job.url}/whip/${madeUp}`, {
      method: "POST",
      headers: { "content-type": "application/sdp" },
      body: new Blob([justOver]).stream(),
      duplex: "half"
    } as RequestInit)
    assert.strictEqual(chunked.status, 413)

    // A well-formed offer with a made-up key is refused by the key alone: no socket is opened for it.
    const refused = await Promise.all(Array.from({ length: 10 }, () => post(madeUp, offer)))
    const statuses = refused.map((answer) => answer.status)
    assert.isTrue(
      statuses.every((status) => status === 403 || status === 503),
      statuses.join(", ")
    )
    // Two offers at once from one address (this job's setting): the rest are told when to come back.
    const busy = refused.filter((answer) => answer.status === 503)
    assert.isNotEmpty(busy, statuses.join(", "))
    assert.strictEqual(busy[0]!.headers.get("retry-after"), "5")
    assert.match((await busy[0]!.json()).errors[0].message, /offers at once from one address/)
    assert.strictEqual(udpSocketsIn(WHIP_PORTS), 0)
  })

  it("a browser publishes; the stream plays in ffprobe and hls.js; the views say WebRTC; DELETE ends it", async () => {
    const livestream = await create(0)
    const page = await publisherPage()
    const started = Date.now()
    const published = await publishOverWhip(page, `${job.url}/whip/${livestream.stream_key}`)
    assert.strictEqual(published.status, 201, published.body)
    assert.strictEqual(published.state, "connected")
    assert.match(published.location ?? "", /^\/whip\/sessions\/[0-9a-f]{32}$/)
    assert.include(published.body, "a=candidate:")

    await waitFor("LIVE", async () => ((await detail(livestream.id)).status === "LIVE" ? true : undefined))
    const record = await ingest(livestream.id)
    assert.strictEqual(record.encoderType, "webrtc")
    assert.strictEqual(record.isRtmpSession, false)
    assert.strictEqual(record.protocol, "webrtc")
    assert.strictEqual(record.status, "4")

    await waitFor("a playlist", async () => ((await fetch(livestream.playback_url)).ok ? true : undefined), 30_000)
    const firstPlayable = Date.now() - started
    const streams = await probe(livestream.playback_url)
    const video = streams.find((stream) => stream.codec_name === "h264")
    assert.isDefined(video, JSON.stringify(streams))
    assert.strictEqual(video!.width, 640)
    assert.isDefined(
      streams.find((stream) => stream.codec_name === "aac"),
      JSON.stringify(streams)
    )

    const health = await waitFor("health with the protocol", async () => {
      const [source] = (await status(livestream.id)).healthDescriptions as Array<string>
      if (source === undefined || !source.startsWith("{")) return undefined
      const parsed = JSON.parse(source)
      return parsed.videoResolution === "640x360" ? parsed : undefined
    })
    assert.strictEqual(health.protocolType, "WebRTC")
    assert.strictEqual(health.isSourceOnline, true)

    // hls.js plays it in the browser, from the publisher's origin (CORS).
    const player = await browser.newPage()
    await player.goto(`${pages.origin}/player`)
    await player.addScriptTag({ path: HLS_JS })
    const played = await player.evaluate(async (url) => {
      const video = document.querySelector("video")!
      const hls = new (window as any).Hls()
      hls.loadSource(url)
      hls.attachMedia(video)
      await video.play().catch(() => {})
      const deadline = Date.now() + 20_000
      while (video.currentTime < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250))
      return { currentTime: video.currentTime, width: video.videoWidth }
    }, livestream.playback_url)
    assert.isAtLeast(played.currentTime, 1)
    assert.strictEqual(played.width, 640)
    await player.close()
    console.log(`WHIP: publish -> first playable segment ${firstPlayable} ms`)

    // The publisher's DELETE ends the publish; the window of 0 ends the session at once.
    const deleted = await fetch(`${job.url}${published.location}`, { method: "DELETE" })
    assert.strictEqual(deleted.status, 200)
    await waitFor("the session to end", async () => {
      const ended = await ingest(livestream.id)
      return ended.status === "5" && ended.endTime !== null ? ended : undefined
    })
    assert.strictEqual((await fetch(`${job.url}${published.location}`, { method: "DELETE" })).status, 404)
    await page.close()
  })

  it("takes the key as a bearer token; disabling the livestream drops the publisher", async () => {
    const livestream = await create(30)
    const page = await publisherPage()
    const published = await publishOverWhip(page, `${job.url}/whip`, { bearer: livestream.stream_key })
    assert.strictEqual(published.status, 201, published.body)
    await waitFor("LIVE", async () => ((await detail(livestream.id)).status === "LIVE" ? true : undefined))
    await waitFor("the first health", async () => ((await ingest(livestream.id)).width === 640 ? true : undefined))

    assert.strictEqual((await job.api("POST", `/livestreams/${livestream.id}/disable`)).status, 200)
    await waitFor("the publisher dropped", async () =>
      (await status(livestream.id)).healthDescriptions.length === 0 && (await detail(livestream.id)).status !== "LIVE"
        ? true
        : undefined
    )
    // Its resource is gone with it.
    await waitFor("the resource gone", async () =>
      (await fetch(`${job.url}${published.location}`, { method: "DELETE" })).status === 404 ? true : undefined
    )
    await page.close()
  })

  it("a push into the gateway needs its publish's token, even before the bridge pushed", async () => {
    const livestream = await create(0)
    const page = await publisherPage()
    // The offer is answered and accepted, but the answer is never applied: no media comes, so the bridge
    // has not pushed, and its publish waits for its push.
    const offer = await cameraOffer(page)
    const answered = await fetch(`${job.url}/whip/${livestream.stream_key}`, {
      method: "POST",
      headers: { "content-type": "application/sdp" },
      body: offer
    })
    assert.strictEqual(answered.status, 201)
    await waitFor("LIVE", async () => ((await detail(livestream.id)).status === "LIVE" ? true : undefined))

    // A local process pushing into the gateway (its port is in nginx's owner-only config) under the
    // session's name is refused without the publish's token.
    const config = Fs.readFileSync(Path.join(job.mediaDir, "conf", "nginx.conf"), "utf8")
    const gatewayPort = /listen 127\.0\.0\.1:(\d+);\n(?:.*\n){0,12}?.*gateway\/publish/.exec(config)?.[1]
    assert.isDefined(gatewayPort, "the gateway server in nginx.conf")
    const sessionId = (await job.api("GET", `/livestreams/${livestream.id}`)).body.data.session.id as string
    for (const query of ["", "?gw=", `?gw=${"0".repeat(48)}`]) {
      const forged = publish(`rtmp://127.0.0.1:${gatewayPort}/live/${sessionId}${query}`)
      const exited = await Promise.race([forged.exited, sleep(10_000).then(() => "still pushing" as const)])
      if (exited === "still pushing") await forged.stop()
      assert.notStrictEqual(exited, "still pushing", `a push with "${query}" was taken`)
      assert.notStrictEqual(exited, 0)
    }
    assert.isEmpty((await status(livestream.id)).healthDescriptions.filter((text: string) => text.startsWith("{")))

    // The publish that never connected ends with its resource.
    assert.strictEqual((await fetch(`${job.url}${answered.headers.get("location")}`, { method: "DELETE" })).status, 200)
    await waitFor("the session to end", async () => ((await ingest(livestream.id)).status === "5" ? true : undefined))
    await page.close()
  })

  it("refuses what RTMP refuses, and what is not an offer, in the envelope", async () => {
    const page = await publisherPage()
    const unknown = await publishOverWhip(page, `${job.url}/whip/${"k".repeat(40)}`)
    assert.strictEqual(unknown.status, 403)
    assert.deepInclude(JSON.parse(unknown.body), { success: false })
    assert.match(JSON.parse(unknown.body).errors[0].message, /unknown key/)

    const disabled = await create(0)
    assert.strictEqual((await job.api("POST", `/livestreams/${disabled.id}/disable`)).status, 200)
    const refused = await publishOverWhip(page, `${job.url}/whip/${disabled.stream_key}`)
    assert.strictEqual(refused.status, 403)
    assert.match(JSON.parse(refused.body).errors[0].message, /disabled/)
    assert.notStrictEqual((await detail(disabled.id)).status, "LIVE")

    const livestream = await create(0)
    const notSdp = await publishOverWhip(page, `${job.url}/whip/${livestream.stream_key}`, {
      contentType: "text/plain"
    })
    assert.strictEqual(notSdp.status, 415)
    assert.match(JSON.parse(notSdp.body).errors[0].message, /^content-type: /)
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${job.url}/whip/${livestream.stream_key}`, { method: "POST", headers, body })
    const garbage = await post("not an offer", { "content-type": "application/sdp" })
    assert.strictEqual(garbage.status, 400)
    assert.match((await garbage.json()).errors[0].message, /^offer: /)
    // An offer with no video this server takes (audio alone) changes nothing.
    const audioOnly = await page.evaluate(async () => {
      const pc = new RTCPeerConnection()
      pc.addTransceiver("audio", { direction: "sendonly" })
      await pc.setLocalDescription(await pc.createOffer())
      return pc.localDescription!.sdp
    })
    const noVideo = await post(audioOnly, { "content-type": "application/sdp" })
    assert.strictEqual(noVideo.status, 400)
    assert.match((await noVideo.json()).errors[0].message, /H\.264/)
    assert.strictEqual((await detail(livestream.id)).status, "INVOKED")
    // A key that is not valid percent-encoding is just an unknown key.
    const malformed = await fetch(`${job.url}/whip/%E0%A4%A`, {
      method: "POST",
      headers: { "content-type": "application/sdp" },
      body: audioOnly
    })
    assert.isBelow(malformed.status, 500)
    const noKey = await fetch(`${job.url}/whip`, {
      method: "POST",
      headers: { "content-type": "application/sdp" },
      body: "v=0"
    })
    assert.strictEqual(noKey.status, 401)
    const preflight = await fetch(`${job.url}/whip/${livestream.stream_key}`, { method: "OPTIONS" })
    assert.strictEqual(preflight.status, 204)
    assert.include(preflight.headers.get("access-control-expose-headers") ?? "", "location")
    await page.close()
  })

  it("every publish that ended, however it ended, gave its UDP sockets back", async () => {
    await waitFor(
      "the WHIP range's sockets closed",
      async () => (udpSocketsIn(WHIP_PORTS) === 0 ? true : undefined),
      10_000
    )
  })
})
