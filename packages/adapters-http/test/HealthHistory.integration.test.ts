/**
 * A session's health over time (`GET …/livestreams/sessions/{session_id}/health`): every sample the
 * publisher's node reported, in order, thinned evenly to `limit` with the newest kept, for the app's tokens
 * only.
 */
import { IngestId, type IngestHealth, Timestamp } from "@onair/core"
import { assert, describe, it } from "vitest"
import { waitFor } from "@onair/test-support"
import { useServer } from "./support/TestServer.ts"

const ACCOUNT = "acct_health"
const base = `/accounts/${ACCOUNT}/realtime/kit/app_1`

const health = (videoBitrate: number, videoFps: number, keyframeInterval?: number): IngestHealth => ({
  width: 1280,
  height: 720,
  videoCodecId: "avc1.64001f",
  audioCodecId: "mp4a.40.2",
  videoBitrate,
  audioBitrate: 128_000,
  videoFps,
  renditions: [],
  ...(keyframeInterval === undefined ? {} : { keyframeInterval })
})

describe("a session's health over time", () => {
  const server = useServer()

  it("answers every sample in order, thins a long one to the limit keeping the newest, and only in scope", async () => {
    const token = await server.token(ACCOUNT)
    const created = (await server.call("POST", `${base}/livestreams`, token, { name: "charted" })).body.data
    const ingestId = IngestId.make(`nginx-${crypto.randomUUID()}`)
    const start = Date.now() + 1_000
    await server.publish(created.stream_key, { at: start, ingestId })
    // The publish takes the session the create invoked.
    const sessionId = (await server.call("GET", `${base}/livestreams/${created.id}`, token)).body.data.sessions[0]
      .id as string
    for (let i = 1; i <= 10; i++) {
      await server.signal({
        _tag: "ReportHealth",
        ingestId,
        at: Timestamp.make(start + i * 5_000),
        health: health(1_000_000 + i * 100_000, 20 + i, i === 1 ? undefined : 2)
      })
    }
    // The catalog takes the signals in as it follows the log.
    const path = `${base}/livestreams/sessions/${sessionId}/health`
    const all = await waitFor("the ten samples", async () => {
      const answer = await server.call("GET", path, token)
      return answer.status === 200 && answer.body.data.samples.length >= 10 ? answer : undefined
    })
    assert.strictEqual(all.status, 200, all.text)
    assert.strictEqual(all.body.data.session_id, sessionId)
    const samples = all.body.data.samples as Array<{
      sampled_at: string
      resolution: string
      video_bitrate: number
      audio_bitrate: number
      video_fps: number
      keyframe_interval: number | null
    }>
    assert.strictEqual(samples.length, 10)
    assert.deepStrictEqual(
      samples.map((s) => s.video_fps),
      [21, 22, 23, 24, 25, 26, 27, 28, 29, 30]
    )
    assert.deepStrictEqual(samples[0], {
      sampled_at: new Date(start + 5_000).toISOString(),
      resolution: "1280x720",
      video_bitrate: 1_100_000,
      audio_bitrate: 128_000,
      video_fps: 21,
      keyframe_interval: null
    })
    assert.strictEqual(samples[1]!.keyframe_interval, 2)

    const thinned = (await server.call("GET", `${path}?limit=4`, token)).body.data.samples as typeof samples
    assert.isAtMost(thinned.length, 4)
    assert.strictEqual(thinned.at(-1)!.video_fps, 30, "the newest is kept")
    const times = thinned.map((s) => Date.parse(s.sampled_at))
    assert.deepStrictEqual(
      times,
      [...times].sort((a, b) => a - b)
    )

    const other = await server.token("acct_health_other")
    assert.strictEqual((await server.call("GET", path.replace(ACCOUNT, "acct_health_other"), other)).status, 404)
    assert.strictEqual((await server.call("GET", path, undefined)).status, 401)
    assert.strictEqual(
      (await server.call("GET", `${base}/livestreams/sessions/${crypto.randomUUID()}/health`, token)).status,
      404
    )
    const bad = await server.call("GET", `${path}?limit=0`, token)
    assert.strictEqual(bad.status, 400)
    assert.match(bad.text, /limit/)
  })
})
