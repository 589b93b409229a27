/**
 * Recordings end to end on local disk: the main job runs nginx-rtmp, ffmpeg publishes, disconnects,
 * reconnects inside the window and stops; the one recording is checked through the API (its record, its
 * signed links with byte ranges, its VOD played to the end by ffmpeg), on disk, and in the webhooks (each
 * once). A full disk (the kernel's ENOSPC, from `/dev/full`) fails a recording with `disk full`, and the
 * local engine (pocketsphinx) transcribes a recording whose app asks for it.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type MainJob, probe, publish, type Receiver, startMainJob, startReceiver, waitFor } from "@onair/test-support"
import { messages, playToEnd, recordingOf, recordTwoIntervals, sha256 } from "./support/Recordings.ts"

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
        // The recording starts from the session's first frame; its record follows the LIVE status shortly
        // (a projection), so wait for it rather than race it.
        await recordingOf(job, session, "recording")
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
    assert.deepStrictEqual(
      listed.data.map((r: any) => r.id),
      [sessionId]
    )
    assert.strictEqual(listed.paging.total_count, 1)
    const invalid = await job.api("GET", "/recordings?status=DONE")
    assert.strictEqual(invalid.status, 400)

    // recording.success and hls.recording.success, once each, with links that work.
    const ofSession = () => messages(receiver).filter((m) => m.data.recording_id === sessionId)
    await waitFor("the recording webhooks", async () => (ofSession().length >= 2 ? true : undefined))
    // What must not come: a second of either, sent by now if it was made.
    await job.settled()
    assert.deepStrictEqual(
      ofSession()
        .map((m) => m.type)
        .sort(),
      ["hls.recording.success", "recording.success"]
    )
    const success = ofSession().find((m) => m.type === "recording.success")!
    assert.match(success.data.recording_path, new RegExp(`^node://[a-z0-9-]+/recordings/${sessionId}/recording\\.mp4$`))
    assert.strictEqual(success.data.size, ready.size)
    assert.strictEqual(
      sha256(new Uint8Array(await (await fetch(success.data.recording_presigned_url)).arrayBuffer())),
      ready.sha256
    )
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
      messages(receiver).some((m) => m.type === "recording.failed" && m.data.recording_id === sessionId)
        ? true
        : undefined
    )
    await job.settled()
    const told = messages(receiver).filter((m) => m.data.recording_id === sessionId)
    assert.deepStrictEqual(
      told.map((m) => [m.type, m.data.error_type, m.data.onair_reason]),
      [["recording.failed", "MEMORY_ERROR", "disk full"]]
    )
  })

  it("transcribes a ready recording with the local engine when its app asks: txt, srt and json beside it, told once each", async () => {
    const settings = await job.api("PATCH", "/settings", { transcribe_recordings: true })
    assert.strictEqual(settings.status, 200, JSON.stringify(settings.body))
    assert.isTrue(settings.body.data.transcribe_recordings)
    assert.strictEqual(
      (await job.api("PATCH", "/settings", { recording_retention_days: 0 })).status,
      400,
      "days start at 1"
    )
    try {
      const { sessionId } = await recordTwoIntervals(job)
      const transcribed = await waitFor(
        "the transcript",
        async () => {
          const recording = (await job.api("GET", `/recordings/${sessionId}`)).body?.data
          return recording?.transcript?.status === "ready" ? recording : undefined
        },
        60_000
      )
      assert.strictEqual(transcribed.transcript.engine, "pocketsphinx")
      for (const url of [
        transcribed.transcript.txt_url,
        transcribed.transcript.srt_url,
        transcribed.transcript.json_url
      ]) {
        assert.strictEqual((await fetch(url)).status, 200, url)
      }
      const json = (await (await fetch(transcribed.transcript.json_url)).json()) as any
      assert.strictEqual(json.engine, "pocketsphinx")
      assert.strictEqual(json.duration, transcribed.duration)
      assert.isArray(json.segments)
      const folder = Path.join(job.mediaDir, "recordings", sessionId)
      assert.deepStrictEqual(
        ["transcript.json", "transcript.srt", "transcript.txt"].filter((f) => Fs.existsSync(Path.join(folder, f))),
        ["transcript.json", "transcript.srt", "transcript.txt"]
      )
      await waitFor("transcription.success", async () =>
        messages(receiver).some((m) => m.type === "transcription.success" && m.data.recording_id === sessionId)
          ? true
          : undefined
      )
      await job.settled()
      const told = messages(receiver).filter(
        (m) => m.data.recording_id === sessionId && m.type.startsWith("transcription.")
      )
      assert.deepStrictEqual(
        told.map((m) => m.type),
        ["transcription.started.success", "transcription.success"]
      )
      assert.match(
        told[1]!.data.transcript_srt_path,
        new RegExp(`^node://[a-z0-9-]+/recordings/${sessionId}/transcript\\.srt$`)
      )
      assert.strictEqual((await fetch(told[1]!.data.transcript_txt_presigned_url)).status, 200)
    } finally {
      await job.api("PATCH", "/settings", { transcribe_recordings: false })
    }
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
    // Two seconds of media that parts would have been written from, had it recorded.
    await encoder.hasSent(encoder.sentSeconds() + 2)
    await encoder.stop()
    const parts = Path.join(job.mediaDir, "recordings", "parts")
    await waitFor(
      "its parts dropped",
      async () => (Fs.readdirSync(parts).some((name) => name.startsWith(live.session.id)) ? undefined : true),
      30_000
    )
    assert.deepStrictEqual((await job.api("GET", `/livestreams/${id}/recordings`)).body.data.recordings, [])
  })
})
