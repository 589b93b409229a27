/**
 * Recordings end to end: the main job runs nginx-rtmp, ffmpeg publishes, disconnects, reconnects inside
 * the window and stops; the one recording is checked through the API (its record, its signed links with
 * byte ranges, its VOD played to the end by ffmpeg), on disk, and in the webhooks (each once). Then the
 * same with storage in an S3-compatible server (s3rver, from npm) that is down at first: the recording
 * fails with `storage unreachable`, keeps its files, and becomes ready once the server is up. A full disk
 * (the kernel's ENOSPC, from `/dev/full`) fails a recording with `disk full`.
 */
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import S3rver from "s3rver"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { freePort, type MainJob, probe, publish, type Receiver, sleep, startMainJob, startReceiver, waitFor } from "@onair/test-support"

interface Message {
  readonly type: string
  readonly data: Record<string, any>
}

const messages = (receiver: Receiver): Array<Message> => receiver.received.map((r) => JSON.parse(r.body) as Message)

/** ffmpeg decodes `url` to its end: its exit code and the media time it reached (seconds). */
const playToEnd = (url: string) =>
  new Promise<{ code: number; seconds: number }>((resolve) => {
    execFile("ffmpeg", ["-nostdin", "-v", "error", "-stats", "-i", url, "-f", "null", "-"], { timeout: 60_000 }, (error, _stdout, stderr) => {
      const times = [...String(stderr).matchAll(/time=(\d+):(\d+):(\d+\.\d+)/g)]
      const last = times.at(-1)
      const seconds = last === undefined ? 0 : Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3])
      resolve({ code: error === null ? 0 : (error.code as number | undefined) ?? 1, seconds })
    })
  })

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** A livestream with a reconnect window, published for two intervals with a disconnection between. */
const recordTwoIntervals = async (job: MainJob, options?: { readonly whileLive?: (sessionId: string) => Promise<void> | void }) => {
  const created = await job.api("POST", "/livestreams", { name: "recorded" })
  assert.strictEqual(created.status, 201, JSON.stringify(created.body))
  const livestream = created.body.data as { id: string; stream_key: string }
  await job.api("PATCH", `/livestreams/${livestream.id}`, { reconnect_window_seconds: 4 })
  const url = `rtmp://127.0.0.1:${job.rtmpPort}/live/${livestream.stream_key}`
  const first = publish(url)
  const live = await waitFor("LIVE", async () => {
    const detail = (await job.api("GET", `/livestreams/${livestream.id}`)).body.data
    return detail.livestream.status === "LIVE" ? detail : undefined
  })
  const sessionId = live.session.id as string
  await options?.whileLive?.(sessionId)
  await sleep(3000)
  await first.stop()
  await waitFor("the encoder gone", async () =>
    (await job.api("POST", `/livestreams/${livestream.id}/getStatus`)).body.value[0].healthDescriptions.length === 0 ? true : undefined)
  const again = publish(url)
  await waitFor("the publisher back", async () =>
    (await job.api("GET", `/livestreams/${livestream.id}/ingest`)).body.data.status === "4" ? true : undefined)
  await sleep(3000)
  await again.stop()
  await waitFor("the session to end", async () => {
    const record = (await job.api("GET", `/livestreams/${livestream.id}/ingest`)).body.data
    return record.streamEndedReason !== null && record.endTime !== null ? true : undefined
  })
  return { livestreamId: livestream.id, sessionId }
}

const recordingOf = (job: MainJob, id: string, phase: string) =>
  waitFor(`the recording ${phase}`, async () => {
    const recording = (await job.api("GET", `/recordings/${id}`)).body?.data
    return recording?.phase === phase ? recording : undefined
  }, 60_000)

describe("recordings on local disk", { timeout: 180_000 }, () => {
  let job: MainJob
  let receiver: Receiver

  beforeAll(async () => {
    job = await startMainJob()
    receiver = await startReceiver()
    const endpoint = await job.api("POST", "/webhooks", { url: receiver.url })
    assert.strictEqual(endpoint.status, 201, JSON.stringify(endpoint.body))
  }, 90_000)
  afterAll(async () => {
    await job?.stop()
    await receiver?.close()
  })

  it("records a session across a reconnect: one recording, signed links with ranges, a VOD that plays to the end, webhooks once", async () => {
    const { livestreamId, sessionId } = await recordTwoIntervals(job, {
      whileLive: async (session) => {
        // Still being written: it cannot be deleted yet.
        const early = await job.api("DELETE", `/recordings/${session}`)
        assert.strictEqual(early.status, 409, JSON.stringify(early.body))
        assert.strictEqual(early.body.errors[0].code, "recording_in_progress")
        assert.strictEqual((await job.api("GET", `/recordings/${session}`)).body.data.status, "RECORDING")
      }
    })
    const recordings = (await job.api("GET", `/livestreams/${livestreamId}/recordings`)).body.data.recordings
    assert.strictEqual(recordings.length, 1, "one session, one recording")
    const ready = await recordingOf(job, sessionId, "ready")
    assert.strictEqual(ready.status, "UPLOADED")
    assert.strictEqual(ready.storage, "local")
    const connected = Number((await job.api("GET", `/livestreams/sessions/${sessionId}`)).body.data.ingest_seconds)
    console.log(`recording ${ready.duration} s, connected ${connected} s (whole seconds)`)
    // ingest_seconds counts whole seconds of the connected intervals; the recording is their media.
    assert.isAtMost(Math.abs(ready.duration - connected), 1.5)
    assert.deepStrictEqual([ready.video_codec, ready.audio_codec, ready.resolution], ["h264", "aac", "640x360"])
    assert.isAbove(Date.parse(ready.download_url_expiry), Date.now() + 50 * 60_000)

    // The MP4 through its signed link: whole (the SHA-256 the record names), and a byte range.
    const whole = await fetch(ready.download_url)
    assert.strictEqual(whole.status, 200)
    assert.strictEqual(whole.headers.get("accept-ranges"), "bytes")
    const bytes = new Uint8Array(await whole.arrayBuffer())
    assert.strictEqual(bytes.length, ready.size)
    assert.strictEqual(sha256(bytes), ready.sha256)
    const part = await fetch(ready.download_url, { headers: { range: "bytes=100-1123" } })
    assert.strictEqual(part.status, 206)
    assert.strictEqual(part.headers.get("content-range"), `bytes 100-1123/${ready.size}`)
    assert.deepStrictEqual(new Uint8Array(await part.arrayBuffer()), bytes.subarray(100, 1124))
    const tail = await fetch(ready.download_url, { headers: { range: "bytes=-10" } })
    assert.deepStrictEqual(new Uint8Array(await tail.arrayBuffer()), bytes.subarray(bytes.length - 10))
    assert.strictEqual((await fetch(ready.download_url, { headers: { range: `bytes=${ready.size}-` } })).status, 416)
    assert.deepStrictEqual((await probe(ready.download_url)).map((s) => s.codec_name).sort(), ["aac", "h264"])
    // A link changed in any way is refused: another file, another expiry, another signature.
    const forged = [
      ready.download_url.replace("recording.mp4", "poster.jpg"),
      ready.download_url.replace(/expires=(\d+)/, (_: string, n: string) => `expires=${Number(n) + 3600}`),
      ready.download_url.replace(/signature=.{4}/, "signature=AAAA")
    ]
    for (const url of forged) {
      const answer = await fetch(url)
      assert.strictEqual(answer.status, 403, url)
      assert.strictEqual(((await answer.json()) as any).errors[0].code, "invalid_signature")
    }
    const poster = await fetch(ready.poster_url)
    assert.strictEqual(poster.headers.get("content-type"), "image/jpeg")

    // The VOD plays to its end, through links the playlist carries for each segment.
    const playlist = await (await fetch(ready.playback_url)).text()
    assert.include(playlist, "#EXT-X-ENDLIST")
    assert.match(playlist, /\/recordings\/v1\/[0-9a-f-]+\/vod\/0\.ts\?expires=\d+&signature=/)
    const played = await playToEnd(ready.playback_url)
    assert.strictEqual(played.code, 0)
    assert.isAtMost(Math.abs(played.seconds - ready.duration), 1)

    // Listed app-wide in RealtimeKit's shape.
    const listed = (await job.api("GET", `/recordings?status=UPLOADED&livestream_id=${livestreamId}`)).body
    assert.deepStrictEqual(listed.data.map((r: any) => r.id), [sessionId])
    assert.strictEqual(listed.paging.total_count, 1)
    const invalid = await job.api("GET", "/recordings?status=DONE")
    assert.strictEqual(invalid.status, 400)

    // recording.success and hls.recording.success, once each, with links that work.
    const ofSession = () => messages(receiver).filter((m) => m.data.recording_id === sessionId)
    await waitFor("the recording webhooks", async () => ofSession().length >= 2 ? true : undefined)
    await sleep(1500)
    assert.deepStrictEqual(ofSession().map((m) => m.type).sort(), ["hls.recording.success", "recording.success"])
    const success = ofSession().find((m) => m.type === "recording.success")!
    assert.match(success.data.recording_path, new RegExp(`^node://[a-z0-9-]+/recordings/${sessionId}/recording\\.mp4$`))
    assert.strictEqual(success.data.size, ready.size)
    assert.strictEqual(sha256(new Uint8Array(await (await fetch(success.data.recording_presigned_url)).arrayBuffer())), ready.sha256)
    const hls = ofSession().find((m) => m.type === "hls.recording.success")!
    assert.strictEqual(hls.data.duration, Math.round(ready.duration))
    assert.include(await (await fetch(hls.data.hls_vod_recording_presigned_url)).text(), "#EXT-X-ENDLIST")
    assert.isAbove(hls.data.hls_vod_recording_size, 0)

    // Deleted by its owner: gone from the API, its links, and its files from the node.
    const folder = Path.join(job.mediaDir, "recordings", sessionId)
    assert.strictEqual((await job.api("DELETE", `/recordings/${sessionId}`)).status, 200)
    assert.strictEqual((await job.api("GET", `/recordings/${sessionId}`)).status, 404)
    assert.strictEqual((await fetch(ready.download_url)).status, 404)
    await waitFor("its files removed", async () => (Fs.existsSync(folder) ? undefined : true), 40_000)

    // Day-wise analytics count it (made, then deleted: it was made).
    const daywise = (await job.api("GET", "/analytics/daywise")).body.data
    assert.strictEqual(daywise.recording_stats.recording_count, 1)
  })

  it("a full disk fails the recording with `disk full`, told once in recording.failed", async () => {
    // The kernel's own ENOSPC: the MP4 the finaliser writes is /dev/full.
    const { sessionId } = await recordTwoIntervals(job, {
      whileLive: (session) => {
        const folder = Path.join(job.mediaDir, "recordings", session)
        Fs.mkdirSync(folder, { recursive: true, mode: 0o700 })
        Fs.symlinkSync("/dev/full", Path.join(folder, "recording.mp4"))
      }
    })
    const failed = await recordingOf(job, sessionId, "failed")
    assert.strictEqual(failed.failure_reason, "disk full")
    assert.strictEqual(failed.status, "ERRORED")
    await waitFor("recording.failed", async () =>
      messages(receiver).some((m) => m.type === "recording.failed" && m.data.recording_id === sessionId) ? true : undefined)
    await sleep(1000)
    const told = messages(receiver).filter((m) => m.data.recording_id === sessionId)
    assert.deepStrictEqual(told.map((m) => [m.type, m.data.reason]), [["recording.failed", "disk full"]])
  })

  it("a livestream that does not record keeps no parts and has no recording", async () => {
    const unrecorded = await job.api("POST", "/livestreams", { name: "not recorded", record: false })
    assert.strictEqual(unrecorded.status, 201, JSON.stringify(unrecorded.body))
    const id = unrecorded.body.data.id
    await job.api("PATCH", `/livestreams/${id}`, { reconnect_window_seconds: 0 })
    const encoder = publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/${unrecorded.body.data.stream_key}`)
    const live = await waitFor("LIVE", async () => {
      const detail = (await job.api("GET", `/livestreams/${id}`)).body.data
      return detail.livestream.status === "LIVE" ? detail : undefined
    })
    await sleep(2000)
    await encoder.stop()
    const parts = Path.join(job.mediaDir, "recordings", "parts")
    await waitFor("its parts dropped", async () =>
      Fs.readdirSync(parts).some((name) => name.startsWith(live.session.id)) ? undefined : true, 30_000)
    assert.deepStrictEqual((await job.api("GET", `/livestreams/${id}/recordings`)).body.data.recordings, [])
  })
})

describe("recordings in S3-compatible storage", { timeout: 180_000 }, () => {
  let job: MainJob
  let receiver: Receiver
  let s3Port: number
  const s3Dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-s3-"))

  beforeAll(async () => {
    s3Port = await freePort()
    // The bucket's server is down when the job starts: uploads fail until it is up.
    job = await startMainJob({
      ONAIR_RECORDING_S3_BUCKET: "vods",
      ONAIR_RECORDING_S3_PREFIX: "onair",
      ONAIR_RECORDING_S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      ONAIR_RECORDING_S3_PATH_STYLE: "true",
      ONAIR_RECORDING_S3_ACCESS_KEY_ID: "S3RVER",
      ONAIR_RECORDING_S3_SECRET_ACCESS_KEY: "S3RVER",
      ONAIR_RECORDING_UPLOAD_DEADLINE_SECONDS: "3"
    })
    receiver = await startReceiver()
    await job.api("POST", "/webhooks", { url: receiver.url })
  }, 90_000)
  afterAll(async () => {
    await job?.stop()
    await receiver?.close()
    Fs.rmSync(s3Dir, { recursive: true, force: true })
  })

  it("storage down: recording.failed (storage unreachable), files kept; storage up: uploaded, ready, served from the bucket", async () => {
    const { sessionId } = await recordTwoIntervals(job)
    const failed = await recordingOf(job, sessionId, "failed")
    assert.strictEqual(failed.failure_reason, "storage unreachable")
    const folder = Path.join(job.mediaDir, "recordings", sessionId)
    assert.isTrue(Fs.existsSync(Path.join(folder, "recording.mp4")), "the local copy is kept")
    await waitFor("recording.failed", async () =>
      messages(receiver).some((m) => m.type === "recording.failed" && m.data.recording_id === sessionId) ? true : undefined)
    const failure = messages(receiver).find((m) => m.type === "recording.failed" && m.data.recording_id === sessionId)!
    assert.strictEqual(failure.data.error_type, "CLOUD_ACCESS_ERROR")

    const server = new S3rver({ port: s3Port, address: "127.0.0.1", silent: true, directory: s3Dir, configureBuckets: [{ name: "vods" }] })
    await server.run()
    try {
      const ready = await recordingOf(job, sessionId, "ready")
      assert.strictEqual(ready.storage, "s3")
      // In the bucket under the prefix; the node's copy removed.
      const key = Path.join(s3Dir, "vods", "onair", "recordings", sessionId)
      assert.isTrue(Fs.readdirSync(s3Dir, { recursive: true }).map(String).some((name) => name.includes(`recordings/${sessionId}/recording.mp4`)), key)
      await waitFor("the local copy removed", async () => (Fs.existsSync(folder) ? undefined : true))
      // The link redirects to the bucket's own signed URL, which serves ranges.
      const redirect = await fetch(ready.download_url, { redirect: "manual" })
      assert.strictEqual(redirect.status, 302)
      assert.match(redirect.headers.get("location")!, new RegExp(`^http://127\\.0\\.0\\.1:${s3Port}/vods/onair/recordings/${sessionId}/recording\\.mp4\\?.*X-Amz-Signature=`))
      const bytes = new Uint8Array(await (await fetch(ready.download_url)).arrayBuffer())
      assert.strictEqual(sha256(bytes), ready.sha256)
      const part = await fetch(ready.download_url, { headers: { range: "bytes=0-99" } })
      assert.strictEqual(part.status, 206)
      assert.strictEqual((await part.arrayBuffer()).byteLength, 100)
      const played = await playToEnd(ready.playback_url)
      assert.strictEqual(played.code, 0)
      assert.isAtMost(Math.abs(played.seconds - ready.duration), 1)
      // Told: failed once, then ready once (recording.success with the bucket's path).
      await waitFor("recording.success", async () =>
        messages(receiver).some((m) => m.type === "recording.success" && m.data.recording_id === sessionId) ? true : undefined)
      await sleep(1000)
      const told = messages(receiver).filter((m) => m.data.recording_id === sessionId)
      assert.deepStrictEqual(told.map((m) => m.type), ["recording.failed", "recording.success", "hls.recording.success"])
      assert.strictEqual(told[1]!.data.recording_path, `s3://vods/onair/recordings/${sessionId}/recording.mp4`)
    } finally {
      await server.close()
    }
  })
})
