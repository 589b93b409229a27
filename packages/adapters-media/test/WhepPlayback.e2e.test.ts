/// <reference lib="dom" />
/**
 * WebRTC playback (WHEP) end to end: a livestream created with `latency_mode: "realtime"` carries a
 * `whep_url`; ffmpeg publishes over RTMP; Chromium's own WebRTC, on a page of another origin, sends its
 * offer there and plays the broadcast: H.264 decoded as the encoder sent it, audio as Opus.
 *
 * - Before the broadcast, and for a livestream of another mode, an offer is a 404 naming why; not SDP is a
 *   415 and an unusable offer a 400.
 * - The node's viewer cap (1 here) answers a second viewer 503 with `Retry-After`; the first viewer's
 *   `DELETE` frees its place, and the next viewer plays.
 * - The time a viewer is connected counts to the session's viewer seconds.
 * - An encoder that drops inside its reconnect window: the viewer stays connected, is shown the slate, and
 *   plays live again when the encoder is back.
 */
import { assert, describe, it } from "vitest"
import { publish, waitFor } from "@onair/test-support"
import { playOverWhep, usePlayers } from "@onair/test-support/browser"

/** UDP ports of this file's WebRTC peers, apart from the WHIP test's. */
const WEBRTC_PORTS = "41800-41899"

interface Created {
  readonly id: string
  readonly stream_key: string
  readonly playback_url: string
  readonly latency_mode: string
  readonly whep_url?: string
}

const offerTo = (url: string, body: string, contentType = "application/sdp") =>
  fetch(url, { method: "POST", headers: { "content-type": contentType }, body })

describe("WebRTC playback (WHEP)", { timeout: 180_000 }, () => {
  const players = usePlayers({
    ONAIR_WHIP_HOST_ADDRESSES: "127.0.0.1",
    ONAIR_WHIP_UDP_PORTS: WEBRTC_PORTS,
    ONAIR_WHEP_MAX_VIEWERS: "1"
  })

  it("plays a realtime livestream in Chromium over WHEP, caps viewers with a 503 and counts their seconds", async () => {
    const low = await players.job.api("POST", "/livestreams", { name: "low", latency_mode: "low" })
    assert.notProperty(low.body.data, "whep_url", "only a realtime livestream plays over WebRTC")
    const created = await players.job.api("POST", "/livestreams", { name: "realtime", latency_mode: "realtime" })
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    const livestream = created.body.data as Created
    assert.strictEqual(livestream.whep_url, livestream.playback_url.replace(/index\.m3u8$/, "whep"))
    const whepUrl = livestream.whep_url!
    const read = await players.job.api("GET", `/livestreams/${livestream.id}`)
    assert.strictEqual(read.body.data.livestream.whep_url, whepUrl)
    const window = await players.job.api("PATCH", `/livestreams/${livestream.id}`, { reconnect_window_seconds: 30 })
    assert.strictEqual(window.status, 200)

    const early = await offerTo(whepUrl, "v=0\r\n")
    assert.strictEqual(early.status, 404)
    assert.include(await early.text(), "not live")

    const lowEncoder = publish(`rtmp://127.0.0.1:${players.job.rtmpPort}/live/${low.body.data.stream_key}`)
    const ingest = `rtmp://127.0.0.1:${players.job.rtmpPort}/live/${livestream.stream_key}`
    let encoder = publish(ingest)
    const first = await players.browser.newPage()
    const second = await players.browser.newPage()
    try {
      // Playable once its low-latency HLS is: the same runs write both.
      await waitFor(
        "the realtime broadcast",
        async () => ((await fetch(livestream.playback_url)).status === 200 ? true : undefined),
        40_000
      )
      const lowWhep = await offerTo(low.body.data.playback_url.replace(/index\.m3u8$/, "whep"), "v=0\r\n")
      await lowEncoder.stop()
      assert.strictEqual(lowWhep.status, 404)
      assert.include(await lowWhep.text(), "latency_mode is not realtime")
      const notSdp = await offerTo(whepUrl, "{}", "application/json")
      assert.strictEqual(notSdp.status, 415)
      const unusable = await offerTo(whepUrl, "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n")
      assert.strictEqual(unusable.status, 400)
      assert.include(await unusable.text(), "offer")
      // A player on another origin: the preflight allows the offer and shows it Location.
      const preflight = await fetch(whepUrl, {
        method: "OPTIONS",
        headers: { origin: players.origin, "access-control-request-method": "POST" }
      })
      assert.strictEqual(preflight.status, 204)
      assert.strictEqual(preflight.headers.get("access-control-allow-origin"), "*")
      assert.include(preflight.headers.get("access-control-allow-methods") ?? "", "POST")
      assert.include(preflight.headers.get("access-control-expose-headers") ?? "", "location")

      await first.goto(`${players.origin}/player`)
      const played = await playOverWhep(first, whepUrl)
      assert.strictEqual(played.status, 201, played.body)
      assert.strictEqual(played.state, "connected")
      assert.match(played.location ?? "", /\/whep\/[0-9a-f]{32}$/)
      // The picture decodes at the source's size and plays; the sound arrives as Opus.
      const playing = await waitFor(
        "WebRTC playing",
        async () => {
          const seen = await first.evaluate(async () => {
            const video = document.querySelector("video")!
            const stats = await (window as unknown as { viewer: RTCPeerConnection }).viewer.getStats()
            const inbound: Record<string, { framesDecoded?: number; packetsReceived?: number; codecId?: string }> = {}
            const codecs: Record<string, string> = {}
            stats.forEach((report) => {
              if (report.type === "inbound-rtp") inbound[report.kind] = report
              if (report.type === "codec") codecs[report.id] = report.mimeType
            })
            return {
              width: video.videoWidth,
              currentTime: video.currentTime,
              framesDecoded: inbound["video"]?.framesDecoded ?? 0,
              videoCodec: codecs[inbound["video"]?.codecId ?? ""] ?? "",
              audioPackets: inbound["audio"]?.packetsReceived ?? 0,
              audioCodec: codecs[inbound["audio"]?.codecId ?? ""] ?? ""
            }
          })
          return seen.currentTime > 2 && seen.framesDecoded > 30 ? seen : undefined
        },
        30_000
      )
      console.log(`WHEP in Chromium: ${JSON.stringify(playing)}`)
      assert.strictEqual(playing.width, 640)
      assert.strictEqual(playing.videoCodec, "video/H264")
      assert.strictEqual(playing.audioCodec, "audio/opus")
      assert.isAbove(playing.audioPackets, 50)

      // The node takes one viewer here: a second is told to come back later.
      await second.goto(`${players.origin}/player`)
      const refused = await playOverWhep(second, whepUrl)
      assert.strictEqual(refused.status, 503, refused.body)
      assert.strictEqual(refused.retryAfter, "5")
      assert.include(refused.body, "1 WebRTC viewers at once")

      // The first viewer's time counts to the session.
      const sessionId = (await players.job.api("GET", `/livestreams/${livestream.id}`)).body.data.session.id
      await waitFor(
        "viewer seconds",
        async () => {
          const session = (await players.job.api("GET", `/livestreams/sessions/${sessionId}`)).body.data
          return Number(session.viewer_seconds) >= 2 ? true : undefined
        },
        30_000
      )

      // Its DELETE ends it and frees its place.
      assert.strictEqual((await fetch(played.location!, { method: "PATCH" })).status, 405)
      assert.strictEqual((await fetch(played.location!, { method: "DELETE" })).status, 200)
      assert.strictEqual((await fetch(played.location!, { method: "DELETE" })).status, 404)
      const next = await waitFor(
        "the freed place",
        async () => {
          const attempt = await playOverWhep(second, whepUrl)
          return attempt.status === 201 ? attempt : undefined
        },
        20_000
      )
      assert.strictEqual(next.state, "connected")

      // The encoder drops inside its reconnect window: the viewer stays connected and is shown the slate,
      // and the encoder's return plays live again, on the same connection.
      const decoded = () =>
        second.evaluate(async () => {
          const pc = (window as unknown as { viewer: RTCPeerConnection }).viewer
          let frames = 0
          ;(await pc.getStats()).forEach((report) => {
            if (report.type === "inbound-rtp" && report.kind === "video") frames = report.framesDecoded
          })
          return { frames, state: pc.connectionState, width: document.querySelector("video")!.videoWidth }
        })
      await waitFor("live frames", async () => ((await decoded()).frames > 30 ? true : undefined), 20_000)
      await encoder.stop()
      const dropped = await decoded()
      const slate = await waitFor(
        "the slate's frames",
        async () => {
          const seen = await decoded()
          return seen.frames > dropped.frames + 30 ? seen : undefined
        },
        20_000
      )
      assert.strictEqual(slate.state, "connected")
      assert.strictEqual(slate.width, 640, "the slate comes at the source's size")
      encoder = publish(ingest)
      await encoder.hasSent(3)
      const back = await decoded()
      const live = await waitFor(
        "live again",
        async () => {
          const seen = await decoded()
          return seen.frames > back.frames + 30 ? seen : undefined
        },
        20_000
      )
      assert.strictEqual(live.state, "connected")
    } finally {
      await first.close()
      await second.close()
      await encoder.stop()
      await lowEncoder.stop()
    }
  })
})
