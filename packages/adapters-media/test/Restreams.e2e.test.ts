/**
 * Restreaming end to end: ffmpeg publishes to OnAir, whose media node relays the broadcast to four
 * targets: a local nginx-rtmp, another behind RTMPS with a self-signed certificate that the target's
 * config accepts (`verify_tls: false`), the same RTMPS server with verification on, and an address where
 * nothing listens. The first two receive the stream (ffprobe reads H.264/AAC there); the others retry with
 * backoff and fail with their reasons (TLS error, unreachable); one disabled while live stops (by its owner)
 * and starts again when enabled; a reconnect inside the window keeps the targets; the session's end stops
 * them; every beam webhook arrives once.
 */
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import {
  freePort,
  type MainJob,
  probe,
  publish,
  type Receiver,
  type RtmpTarget,
  startMainJob,
  startReceiver,
  sleep,
  startRtmpTarget,
  waitFor
} from "@onair/test-support"

const GIVE_UP_SECONDS = 6

describe("restreaming to other platforms", { timeout: 180_000 }, () => {
  let job: MainJob
  let receiver: Receiver
  let plain: RtmpTarget
  let secure: RtmpTarget

  beforeAll(async () => {
    ;[job, receiver, plain, secure] = await Promise.all([
      startMainJob({ ONAIR_RESTREAM_GIVE_UP_SECONDS: String(GIVE_UP_SECONDS) }),
      startReceiver(),
      startRtmpTarget(),
      startRtmpTarget({ tls: true })
    ])
    const endpoint = await job.api("POST", "/webhooks", { url: receiver.url, events: ["beam.*"] })
    assert.strictEqual(endpoint.status, 201, JSON.stringify(endpoint.body))
  }, 90_000)
  afterAll(async () => {
    await job?.stop()
    await Promise.all([receiver?.close(), plain?.stop(), secure?.stop()])
  })

  it("relays to two targets (one over RTMPS), retries and fails the unreachable one, holds through a reconnect, stops with the session", async () => {
    const livestream = (await job.api("POST", "/livestreams", { name: "simulcast" })).body.data
    await job.api("PATCH", `/livestreams/${livestream.id}`, { reconnect_window_seconds: 6 })
    const restreams = `/livestreams/${livestream.id}/restreams`
    const add = async (url: string, key: string, name: string, verifyTls = true) => {
      const made = await job.api("POST", restreams, { url, stream_key: key, name, verify_tls: verifyTls })
      assert.strictEqual(made.status, 201, JSON.stringify(made.body))
      return made.body.data.id as string
    }
    const plainId = await add(plain.url, "plain-key", "plain")
    const secureId = await add(secure.url, "secure-key", "secure", false)
    const verifiedId = await add(secure.url, "verified-key", "verified")
    const deadId = await add(`rtmp://127.0.0.1:${await freePort()}/app`, "dead-key", "unreachable")
    const target = async (id: string) => (await job.api("GET", `${restreams}/${id}`)).body.data
    const waitTarget = (id: string, status: string, timeoutMs = 30_000) =>
      waitFor(
        `${id} ${status}`,
        async () => {
          const found = await target(id)
          return found.status === status ? found : undefined
        },
        timeoutMs
      )

    const url = `rtmp://127.0.0.1:${job.rtmpPort}/live/${livestream.stream_key}`
    const first = publish(url)
    await Promise.all([waitTarget(plainId, "live"), waitTarget(secureId, "live")])
    for (const played of [plain.playUrl("plain-key"), secure.playUrl("secure-key")]) {
      const streams = await waitFor(`media at ${played}`, async () => {
        const found = await probe(played).catch(() => [])
        return found.length >= 2 ? found : undefined
      })
      assert.deepStrictEqual(streams.map((s) => s.codec_name).sort(), ["aac", "h264"], played)
    }
    // Progress sampled from the relay's ffmpeg: bytes flow, and uptime counts from its start.
    const flowing = await waitFor("the relay's progress", async () => {
      const found = await target(plainId)
      return found.progress !== null && found.progress.bytes > 100_000 && found.uptime_seconds >= 1 ? found : undefined
    })
    assert.isAbove(flowing.progress.bitrate_kbps, 0)
    assert.isAbove(flowing.progress.frames, 0)
    const retrying = await waitTarget(deadId, "retrying")
    assert.strictEqual(retrying.last_error.reason, "unreachable")
    const failed = await waitTarget(deadId, "failed", (GIVE_UP_SECONDS + 40) * 1000)
    assert.deepStrictEqual([failed.reason, failed.last_error.reason], ["unreachable", "unreachable"])
    const refused = await waitTarget(verifiedId, "failed", (GIVE_UP_SECONDS + 40) * 1000)
    assert.strictEqual(refused.reason, "TLS error", "a self-signed certificate does not verify")

    // Disabled while live: stopped by its owner; enabled again while live: it starts again.
    assert.strictEqual((await job.api("PATCH", `${restreams}/${secureId}`, { enabled: false })).status, 200)
    assert.strictEqual((await waitTarget(secureId, "stopped")).reason, "stopped by the owner")
    assert.strictEqual((await job.api("PATCH", `${restreams}/${secureId}`, { enabled: true })).status, 200)
    await waitTarget(secureId, "live")

    // A reconnect inside the window: the targets hold, and carry the stream again.
    await first.stop()
    // The scenario: the encoder is away for 1.5 s, well inside the 6 s window (a time under test).
    await sleep(1500)
    assert.strictEqual((await target(plainId)).status, "live", "held while the encoder is away")
    const again = publish(url)
    await waitFor("the publisher back", async () =>
      (await job.api("GET", `/livestreams/${livestream.id}/ingest`)).body.data.status === "4" ? true : undefined
    )
    assert.deepStrictEqual([(await target(plainId)).status, (await target(secureId)).status], ["live", "live"])
    const streams = await waitFor("media at the target again", async () => {
      const found = await probe(plain.playUrl("plain-key")).catch(() => [])
      return found.length >= 2 ? found : undefined
    })
    assert.isTrue(streams.some((s) => s.codec_name === "h264"))
    await again.stop()
    const stopped = await waitTarget(plainId, "stopped", 30_000)
    assert.strictEqual(stopped.reason, "session ended")
    await waitTarget(secureId, "stopped")

    // Every beam webhook once: started and stopped for the two, failure for the third.
    const beams = () => receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: any })
    await waitFor("the beam webhooks", async () =>
      beams().filter((b) => b.type === "beam.stopped.success").length >= 3 ? true : undefined
    )
    // What must not come: a second of any, sent by now if it was made.
    await job.settled()
    const told = beams()
      .map((b) => `${b.type} ${b.data.beam_id}`)
      .sort()
    assert.deepStrictEqual(
      told,
      [
        `beam.failure ${deadId}`,
        `beam.failure ${verifiedId}`,
        `beam.started.success ${plainId}`,
        `beam.started.success ${secureId}`,
        `beam.started.success ${secureId}`,
        `beam.stopped.success ${plainId}`,
        `beam.stopped.success ${secureId}`,
        `beam.stopped.success ${secureId}`
      ].sort()
    )
    const secureStops = beams()
      .filter((b) => b.type === "beam.stopped.success" && b.data.beam_id === secureId)
      .map((b) => [b.data.reason, b.data.onair_reason])
    // The seed's stop by request, OnAir's finer reason beside it.
    assert.deepStrictEqual(secureStops, [
      ["client request", "stopped by the owner"],
      ["client request", "session ended"]
    ])
    const stop = beams().find((b) => b.type === "beam.stopped.success" && b.data.beam_id === plainId)!
    assert.isAtLeast(stop.data.duration, 8)
    assert.strictEqual(stop.data.onair_reason, "session ended")
    assert.deepStrictEqual(stop.data.rtmp, [{ url: plain.url }])
    assert.notInclude(JSON.stringify(beams()), "plain-key", "no stream key in any webhook")
    assert.strictEqual(
      beams().find((b) => b.type === "beam.failure" && b.data.beam_id === deadId)!.data.error_message,
      "unreachable"
    )
    assert.deepInclude(beams().find((b) => b.type === "beam.failure" && b.data.beam_id === deadId)!.data, {
      error_type: "MAX_RETRIES_REACHED",
      onair_error_type: "unreachable",
      state_name: "Failed"
    })
  })
})
