/**
 * End to end through the real media plane: the main job runs nginx-rtmp, ffmpeg publishes a test pattern
 * over RTMP and RTMPS, ffprobe and ffmpeg play the `playback_url`, and every assertion is on the API's
 * views (livestream status, session, getStatus, ingest record, analytics). One main job serves the file;
 * each case has its own livestream, and the case that kills nginx runs last.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type MainJob, play, probe, publish, sleep, startMainJob, waitFor } from "@onair/test-support"

const MANIFEST_NOT_AVAILABLE = "Live manifest is not available."
const ENDED = {
  "stream closed": 1,
  "reconnection window expired": 2,
  "internal error": 4,
  "stopped by request": 5,
  disabled: 6,
  "maximum duration reached": 8
} as const

describe("the media plane, with ffmpeg and nginx-rtmp", { timeout: 120_000 }, () => {
  let job: MainJob

  beforeAll(async () => {
    job = await startMainJob()
  }, 90_000)
  afterAll(async () => {
    await job?.stop()
  })

  const create = async (window?: number) => {
    const created = await job.api("POST", "/livestreams", { name: "e2e" })
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    const livestream = created.body.data
    if (window !== undefined) {
      const patched = await job.api("PATCH", `/livestreams/${livestream.id}`, { reconnect_window_seconds: window })
      assert.strictEqual(patched.status, 200, JSON.stringify(patched.body))
    }
    return livestream as { id: string; stream_key: string; playback_url: string; ingest_server: string }
  }
  const rtmp = (key: string) => `rtmp://127.0.0.1:${job.rtmpPort}/live/${key}`
  const detail = async (id: string) => (await job.api("GET", `/livestreams/${id}`)).body.data
  const ingest = async (id: string) => (await job.api("GET", `/livestreams/${id}/ingest`)).body.data
  const status = async (id: string) => (await job.api("POST", `/livestreams/${id}/getStatus`)).body.value[0]
  const session = async (id: string) => (await job.api("GET", `/livestreams/sessions/${id}`)).body.data
  const waitStatus = (id: string, expected: string, timeoutMs?: number) =>
    waitFor(
      `livestream ${expected}`,
      async () => {
        const livestream = (await detail(id)).livestream
        return livestream.status === expected ? livestream : undefined
      },
      timeoutMs
    )
  const waitEnded = (id: string, timeoutMs?: number) =>
    waitFor(
      "the session to end",
      async () => {
        const record = await ingest(id)
        return record.streamEndedReason !== null && record.endTime !== null ? record : undefined
      },
      timeoutMs
    )

  it("happy path: publish makes it LIVE, health fills in, the playback URL plays, the window ends it", async () => {
    const livestream = await create(2)
    assert.strictEqual(livestream.ingest_server, `rtmp://localhost:${job.rtmpPort}/live/`)
    assert.notInclude(livestream.playback_url, livestream.stream_key)
    const encoder = publish(rtmp(livestream.stream_key), { size: "1280x720" })
    const live = await waitStatus(livestream.id, "LIVE")
    assert.strictEqual(live.status, "LIVE")
    // The first master playlist a player gets names the variant's resolution and codecs: the encoder's
    // metadata is known before the first segment is.
    const master = await waitFor(
      "the master playlist",
      async () => {
        const response = await fetch(livestream.playback_url)
        return response.status === 200 ? await response.text() : undefined
      },
      20_000
    )
    assert.include(master, "RESOLUTION=1280x720")
    assert.include(master, 'CODECS="avc1.64001f,mp4a.40.2"')
    const first = await ingest(livestream.id)
    assert.strictEqual(first.status, "4")
    assert.strictEqual(first.protocol, "rtmp")
    assert.strictEqual(first.encoderType, "rtmp")
    const running = await status(livestream.id)
    assert.strictEqual(running.state, "Running")

    // Until the first playlist exists the health says so; then the stream's own numbers.
    const health = await waitFor("stream health", async () => {
      const { healthDescriptions } = await status(livestream.id)
      if (healthDescriptions.length === 0 || healthDescriptions[0] === MANIFEST_NOT_AVAILABLE) return undefined
      const parsed = JSON.parse(healthDescriptions[0])
      return parsed.videoResolution === "1280x720" ? parsed : undefined
    })
    assert.strictEqual(health.videoCodecId, "avc1.64001f")
    assert.strictEqual(health.audioCodecId, "mp4a.40.2")
    assert.strictEqual(health.publisherIp, "127.0.0.1")
    assert.strictEqual(health.videoFps, 30)
    assert.strictEqual(health.streamName, livestream.id)

    const streams = await probe(livestream.playback_url)
    assert.deepInclude(
      streams.map((s) => `${s.codec_name}/${s.profile}`),
      "h264/High"
    )
    assert.deepInclude(
      streams.map((s) => `${s.codec_name}/${s.profile}`),
      "aac/LC"
    )
    const cors = await fetch(livestream.playback_url)
    assert.strictEqual(cors.headers.get("access-control-allow-origin"), "*")

    // The live thumbnail: the API sends the caller to the JPEG the node serves, the newest keyframe.
    const thumbnailUrl = `${job.url}/accounts/${job.account}/realtime/kit/${job.app}/livestreams/${livestream.id}/thumbnail.jpg`
    const redirect = await fetch(thumbnailUrl, {
      headers: { authorization: `Bearer ${job.token}` },
      redirect: "manual"
    })
    assert.strictEqual(redirect.status, 302)
    const location = redirect.headers.get("location") ?? ""
    assert.strictEqual(location, livestream.playback_url.replace("index.m3u8", "thumbnail.jpg"))
    const image = await fetch(location)
    assert.strictEqual(image.status, 200)
    assert.strictEqual(image.headers.get("content-type"), "image/jpeg")
    const jpeg = new Uint8Array(await image.arrayBuffer())
    assert.deepStrictEqual([jpeg[0], jpeg[1]], [0xff, 0xd8], "a JPEG")
    const frame = await probe(location)
    assert.deepStrictEqual(
      frame.map((s) => [s.codec_name, s.width]),
      [["mjpeg", 1280]]
    )
    assert.strictEqual((await fetch(thumbnailUrl, { redirect: "manual" })).status, 401)

    // A viewer watches 4 s; its seconds reach the session and analytics at the next flush (5 s).
    await play(livestream.playback_url, 4)
    const sessionId = (await detail(livestream.id)).session.id
    const watched = await waitFor("viewer seconds", async () => {
      const record = await session(sessionId)
      return Number(record.viewer_seconds) >= 4 ? record : undefined
    })
    assert.isAtMost(Number(watched.viewer_seconds), 30)
    // The app's analytics count them too (every earlier session of the app adds its own).
    await waitFor("the viewer seconds in analytics", async () => {
      const overall = (await job.api("GET", "/analytics/livestreams/overall")).body.data
      return overall.total_viewer_seconds >= Math.floor(Number(watched.viewer_seconds)) ? true : undefined
    })

    // The key appears in no HLS file name, no log line, no playlist.
    const hlsFiles = Fs.readdirSync(Path.join(job.mediaDir, "hls"), { recursive: true }).map(String)
    assert.isTrue(hlsFiles.length > 0)
    for (const file of hlsFiles) assert.notInclude(file, livestream.stream_key)
    for (const log of Fs.readdirSync(Path.join(job.mediaDir, "logs"))) {
      assert.notInclude(Fs.readFileSync(Path.join(job.mediaDir, "logs", log), "utf8"), livestream.stream_key)
    }
    assert.notInclude(job.log(), livestream.stream_key)

    await encoder.stop()
    const ended = await waitEnded(livestream.id)
    assert.strictEqual(ended.streamEndedReason, ENDED["reconnection window expired"])
    const stopped = await session(sessionId)
    assert.isNotNull(stopped.stopped_time)
    assert.isAtLeast(Number(stopped.ingest_seconds), 5)
    assert.notStrictEqual((await detail(livestream.id)).livestream.status, "LIVE")
    // The session is over: its playlist is not served any more, nor its thumbnail.
    assert.strictEqual((await fetch(livestream.playback_url)).status, 404)
    const notLive = await job.api("GET", `/livestreams/${livestream.id}/thumbnail.jpg`)
    assert.strictEqual(notLive.status, 404)
    assert.strictEqual(notLive.body.success, false)
    assert.strictEqual((await fetch(livestream.playback_url.replace("index.m3u8", "thumbnail.jpg"))).status, 404)
  })

  it("refuses an unknown key and a malformed one; nothing changes", async () => {
    const livestream = await create()
    for (const key of ["k".repeat(40), "not-a-key"]) {
      const encoder = publish(rtmp(key))
      assert.notStrictEqual(await encoder.exited, 0)
    }
    assert.strictEqual((await detail(livestream.id)).livestream.status, "INVOKED")
  })

  it("refuses a disabled key", async () => {
    const livestream = await create()
    assert.strictEqual((await job.api("POST", `/livestreams/${livestream.id}/disable`)).status, 200)
    const encoder = publish(rtmp(livestream.stream_key))
    assert.notStrictEqual(await encoder.exited, 0)
    assert.notStrictEqual((await detail(livestream.id)).livestream.status, "LIVE")
  })

  it("refuses a second publisher on a live key without ending the first", async () => {
    const livestream = await create()
    const first = publish(rtmp(livestream.stream_key))
    await waitStatus(livestream.id, "LIVE")
    const sessionId = (await detail(livestream.id)).session.id
    const second = publish(rtmp(livestream.stream_key))
    assert.notStrictEqual(await second.exited, 0)
    // The first goes on: 1.5 s more of its media go out (this fails if it was cut), and the job has read it all.
    await first.hasSent(first.sentSeconds() + 1.5)
    await job.settled()
    const after = await detail(livestream.id)
    assert.strictEqual(after.livestream.status, "LIVE")
    assert.strictEqual(after.session.id, sessionId)
    assert.isNull((await session(sessionId)).stopped_time)
    await waitFor("a playlist", async () => ((await fetch(livestream.playback_url)).ok ? true : undefined))
    assert.deepInclude(
      (await probe(livestream.playback_url)).map((s) => s.codec_name),
      "h264"
    )
    await first.stop()
  })

  it("a key rotated with grace still publishes until the grace is over, then is refused with its reason", async () => {
    const livestream = await create(0)
    const tooLong = await job.api("POST", `/livestreams/${livestream.id}/rotate-stream-key?grace_seconds=86401`)
    assert.strictEqual(tooLong.status, 400)
    assert.include(JSON.stringify(tooLong.body), "grace_seconds")
    const rotated = await job.api("POST", `/livestreams/${livestream.id}/rotate-stream-key?grace_seconds=8`)
    assert.strictEqual(rotated.status, 200, JSON.stringify(rotated.body))
    const { stream_key: newKey, previous_key_expires_at: expires } = rotated.body.data
    assert.notStrictEqual(newKey, livestream.stream_key)
    const expiresAt = Date.parse(expires)
    assert.approximately(expiresAt, Date.now() + 8000, 3000)
    // Inside the grace the encoder still on the old key goes live (its reconnects too).
    const old = publish(rtmp(livestream.stream_key))
    await waitStatus(livestream.id, "LIVE")
    assert.isBelow(Date.now(), expiresAt, "went live inside the grace")
    await old.stop()
    await waitStatus(livestream.id, "IDLE")
    // The grace is wall-clock time: wait it out, then the old key is refused, and told with its reason.
    await sleep(Math.max(0, expiresAt - Date.now()) + 250)
    const late = publish(rtmp(livestream.stream_key))
    assert.notStrictEqual(await late.exited, 0)
    const refusal = await waitFor("the refusal's ingest.start.failure", async () => {
      const { events } = (await job.api("GET", "/webhooks/events?after=0&limit=1000")).body.data
      return events.find(
        (event: { type: string; data: { livestream_id?: string } }) =>
          event.type === "ingest.start.failure" && event.data.livestream_id === livestream.id
      )
    })
    assert.deepInclude(refusal.data, { error_message: "stream key disabled", onair_reason: "stream key expired" })
    assert.strictEqual((await detail(livestream.id)).livestream.status, "IDLE")
    // The new key publishes; a rotation without a body has no grace, as before.
    const fresh = publish(rtmp(newKey))
    await waitStatus(livestream.id, "LIVE")
    await fresh.stop()
    const plain = await job.api("POST", `/livestreams/${livestream.id}/rotate-stream-key`)
    assert.strictEqual(plain.status, 200, JSON.stringify(plain.body))
    assert.isNull(plain.body.data.previous_key_expires_at)
  })

  it("a reconnect inside the window resumes the same session, also over RTMPS", async () => {
    const livestream = await create(30)
    const first = publish(rtmp(livestream.stream_key))
    await waitStatus(livestream.id, "LIVE")
    const sessionId = (await detail(livestream.id)).session.id
    await first.stop()
    await waitFor("the encoder to be gone", async () => {
      const { healthDescriptions } = await status(livestream.id)
      return healthDescriptions.length === 0 ? true : undefined
    })
    const again = publish(`rtmps://127.0.0.1:${job.rtmpsPort}/live/${livestream.stream_key}`)
    await waitFor("the publisher back", async () => {
      const record = await ingest(livestream.id)
      const { healthDescriptions } = await status(livestream.id)
      return record.status === "4" && healthDescriptions.length > 0 ? true : undefined
    })
    const after = await detail(livestream.id)
    assert.strictEqual(after.livestream.status, "LIVE")
    assert.strictEqual(after.session.id, sessionId)
    assert.isNull((await session(sessionId)).stopped_time)
    assert.strictEqual((await ingest(livestream.id)).protocol, "rtmps")
    await waitFor("a playlist", async () => ((await fetch(livestream.playback_url)).ok ? true : undefined))
    assert.deepInclude(
      (await probe(livestream.playback_url)).map((s) => s.codec_name),
      "aac"
    )
    await again.stop()
  })

  it("with a window of 0 the session stops at once with `stream closed`", async () => {
    const livestream = await create(0)
    const encoder = publish(rtmp(livestream.stream_key))
    await waitStatus(livestream.id, "LIVE")
    await waitFor("a playlist", async () => ((await fetch(livestream.playback_url)).ok ? true : undefined))
    const stoppedAt = Date.now()
    await encoder.stop()
    const ended = await waitEnded(livestream.id, 5_000)
    assert.strictEqual(ended.streamEndedReason, ENDED["stream closed"])
    assert.isBelow(Date.now() - stoppedAt, 5_000)
  })

  it("disable while live drops the publisher, which cannot come back", async () => {
    const livestream = await create(30)
    const encoder = publish(rtmp(livestream.stream_key))
    await waitStatus(livestream.id, "LIVE")
    assert.strictEqual((await job.api("POST", `/livestreams/${livestream.id}/disable`)).status, 200)
    const code = await Promise.race([encoder.exited, sleep(10_000).then(() => "still publishing")])
    assert.notStrictEqual(code, "still publishing")
    const ended = await waitEnded(livestream.id)
    assert.strictEqual(ended.streamEndedReason, ENDED.disabled)
    const back = publish(rtmp(livestream.stream_key))
    assert.notStrictEqual(await back.exited, 0)
    assert.notStrictEqual((await detail(livestream.id)).livestream.status, "LIVE")
  })

  it("stopping a meeting's livestream drops its publisher, which cannot come back", async () => {
    const meeting = (await job.api("POST", "/meetings", { title: "all hands" })).body.data
    const started = await job.api("POST", `/meetings/${meeting.id}/livestreams`, { name: "all hands live" })
    assert.strictEqual(started.status, 201, JSON.stringify(started.body))
    const livestream = started.body.data
    const encoder = publish(rtmp(livestream.stream_key))
    await waitStatus(livestream.id, "LIVE")
    assert.strictEqual((await job.api("POST", `/meetings/${meeting.id}/active-livestream/stop`)).status, 200)
    const code = await Promise.race([encoder.exited, sleep(10_000).then(() => "still publishing")])
    assert.notStrictEqual(code, "still publishing")
    assert.strictEqual((await waitEnded(livestream.id)).streamEndedReason, ENDED["stopped by request"])
    const back = publish(rtmp(livestream.stream_key))
    assert.notStrictEqual(await back.exited, 0)
  })

  it("nginx killed with SIGKILL mid-stream: the session stops with `internal error`, and a new one opens after", async () => {
    const livestream = await create(30)
    const encoder = publish(rtmp(livestream.stream_key))
    await waitStatus(livestream.id, "LIVE")
    const sessionId = (await detail(livestream.id)).session.id
    const pid = job.nginxPid()
    process.kill(pid, "SIGKILL")
    const ended = await waitEnded(livestream.id)
    assert.strictEqual(ended.streamEndedReason, ENDED["internal error"])
    assert.notStrictEqual((await detail(livestream.id)).livestream.status, "LIVE")
    assert.isNotNull((await session(sessionId)).stopped_time)
    await encoder.exited
    // The supervisor starts a new nginx; the encoder comes back and a new session opens.
    await waitFor("a new nginx", async () => {
      try {
        return job.nginxPid() !== pid && /media: nginx \d+ takes RTMP[\s\S]*media: nginx \d+ takes RTMP/.test(job.log())
          ? true
          : undefined
      } catch {
        return undefined
      }
    })
    const again = publish(rtmp(livestream.stream_key))
    await waitStatus(livestream.id, "LIVE")
    const reopened = await detail(livestream.id)
    assert.notStrictEqual(reopened.session.id, sessionId)
    await waitFor("a playlist", async () => ((await fetch(livestream.playback_url)).ok ? true : undefined))
    assert.deepInclude(
      (await probe(livestream.playback_url)).map((s) => s.codec_name),
      "h264"
    )
    await again.stop()
  })
})

describe("the media plane with a short maximum duration", { timeout: 120_000 }, () => {
  let job: MainJob

  beforeAll(async () => {
    job = await startMainJob({ ONAIR_MAX_BROADCAST_SECONDS: "5" })
  }, 90_000)
  afterAll(async () => {
    await job?.stop()
  })

  it("reaching it drops the publisher, ends the session with its reason and keeps the key disabled", async () => {
    const livestream = (await job.api("POST", "/livestreams", { name: "short" })).body.data
    const encoder = publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/${livestream.stream_key}`)
    await waitFor("LIVE", async () =>
      (await job.api("GET", `/livestreams/${livestream.id}`)).body.data.livestream.status === "LIVE" ? true : undefined
    )
    const code = await Promise.race([encoder.exited, sleep(20_000).then(() => "still publishing")])
    assert.notStrictEqual(code, "still publishing")
    const ended = await waitFor("the session to end", async () => {
      const record = (await job.api("GET", `/livestreams/${livestream.id}/ingest`)).body.data
      return record.endTime !== null ? record : undefined
    })
    assert.strictEqual(ended.streamEndedReason, ENDED["maximum duration reached"])
    assert.strictEqual(
      (await job.api("GET", `/livestreams/${livestream.id}`)).body.data.livestream.disabled,
      "disabled"
    )
    const back = publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/${livestream.stream_key}`)
    assert.notStrictEqual(await back.exited, 0)
  })
})
