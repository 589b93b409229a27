/**
 * Recordings in an S3-compatible bucket (s3rver, from npm) that is down when the recording ends: it fails
 * with `storage unreachable` and keeps its files, then is uploaded, ready and served from the bucket (a
 * redirect to the bucket's signed URL, with byte ranges) once the server is up.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import S3rver from "s3rver"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { freePort, type MainJob, type Receiver, startMainJob, startReceiver, waitFor } from "@onair/test-support"
import { messages, playToEnd, recordingOf, recordTwoIntervals, sha256 } from "./support/Recordings.ts"

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
      messages(receiver).some((m) => m.type === "recording.failed" && m.data.recording_id === sessionId)
        ? true
        : undefined
    )
    const failure = messages(receiver).find((m) => m.type === "recording.failed" && m.data.recording_id === sessionId)!
    assert.strictEqual(failure.data.error_type, "CLOUD_ACCESS_ERROR")

    const server = new S3rver({
      port: s3Port,
      address: "127.0.0.1",
      silent: true,
      directory: s3Dir,
      configureBuckets: [{ name: "vods" }]
    })
    await server.run()
    try {
      const ready = await recordingOf(job, sessionId, "ready")
      assert.strictEqual(ready.storage, "s3")
      // In the bucket under the prefix; the node's copy removed.
      const key = Path.join(s3Dir, "vods", "onair", "recordings", sessionId)
      assert.isTrue(
        Fs.readdirSync(s3Dir, { recursive: true })
          .map(String)
          .some((name) => name.includes(`recordings/${sessionId}/recording.mp4`)),
        key
      )
      await waitFor("the local copy removed", async () => (Fs.existsSync(folder) ? undefined : true))
      // The link redirects to the bucket's own signed URL, which serves ranges.
      const redirect = await fetch(ready.download_url, { redirect: "manual" })
      assert.strictEqual(redirect.status, 302)
      assert.match(
        redirect.headers.get("location")!,
        new RegExp(
          `^http://127\\.0\\.0\\.1:${s3Port}/vods/onair/recordings/${sessionId}/recording\\.mp4\\?.*X-Amz-Signature=`
        )
      )
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
        messages(receiver).some((m) => m.type === "recording.success" && m.data.recording_id === sessionId)
          ? true
          : undefined
      )
      // What must not come: once the job has sent all its log holds, no other recording webhook will.
      await job.settled()
      const told = messages(receiver).filter((m) => m.data.recording_id === sessionId)
      assert.deepStrictEqual(
        told.map((m) => m.type),
        ["recording.failed", "recording.success", "hls.recording.success"]
      )
      assert.strictEqual(told[1]!.data.recording_path, `s3://vods/onair/recordings/${sessionId}/recording.mp4`)
    } finally {
      await server.close()
    }
  })
})
