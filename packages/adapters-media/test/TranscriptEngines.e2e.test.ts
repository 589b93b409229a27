/**
 * Transcripts by the HTTP engine against a stand-in OpenAI-compatible speech server the test runs: what
 * is sent (the audio, the model, the key), the files written from its answer, and a refusal failing the
 * transcript (not the recording).
 */
import { createServer, type Server } from "node:http"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type MainJob, type Receiver, startMainJob, startReceiver, waitFor } from "@onair/test-support"
import { messages, recordTwoIntervals } from "./support/Recordings.ts"

describe("transcripts by an OpenAI-compatible HTTP engine", { timeout: 180_000 }, () => {
  let job: MainJob
  let receiver: Receiver
  let speech: Server
  const asked: Array<{
    readonly contentType: string
    readonly body: Buffer
    readonly authorization: string | undefined
  }> = []
  let refuse = false

  beforeAll(async () => {
    // The stand-in speech server: answers verbose_json with two segments, or refuses when told to.
    speech = createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        asked.push({
          contentType: request.headers["content-type"] ?? "",
          body: Buffer.concat(chunks),
          authorization: request.headers.authorization
        })
        if (request.url !== "/v1/audio/transcriptions" || refuse) {
          response
            .writeHead(400, { "content-type": "application/json" })
            .end(JSON.stringify({ error: { message: "unsupported audio" } }))
          return
        }
        response.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            text: "Hello from the stand-in. Second line here.",
            duration: 6.1,
            segments: [
              { start: 0, end: 2.5, text: " Hello from the stand-in." },
              { start: 3, end: 5.25, text: " Second line here." }
            ]
          })
        )
      })
    })
    await new Promise<void>((resolve) => speech.listen(0, "127.0.0.1", resolve))
    const address = speech.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    job = await startMainJob({
      ONAIR_TRANSCRIPTION_ENGINE: "http",
      ONAIR_TRANSCRIPTION_URL: `http://127.0.0.1:${port}`,
      ONAIR_TRANSCRIPTION_MODEL: "stand-in-1",
      ONAIR_TRANSCRIPTION_API_KEY: "sk-test-key"
    })
    receiver = await startReceiver()
    await job.api("POST", "/webhooks", { url: receiver.url })
    await job.api("PATCH", "/settings", { transcribe_recordings: true })
  }, 90_000)
  afterAll(async () => {
    await job?.stop()
    await receiver?.close()
    await new Promise((resolve) => speech?.close(resolve))
  })

  it("sends the recording's audio with the model and key, and writes what it answers as txt, srt and json; a refusal fails it", async () => {
    const { sessionId } = await recordTwoIntervals(job)
    const transcribed = await waitFor(
      "the transcript",
      async () => {
        const recording = (await job.api("GET", `/recordings/${sessionId}`)).body?.data
        return recording?.transcript?.status === "ready" ? recording : undefined
      },
      60_000
    )
    assert.strictEqual(transcribed.transcript.engine, "stand-in-1")
    assert.strictEqual(transcribed.transcript.words, 7)
    const request = asked.at(-1)!
    assert.match(request.contentType, /^multipart\/form-data; boundary=/)
    assert.strictEqual(request.authorization, "Bearer sk-test-key")
    const form = request.body.toString("latin1")
    assert.include(form, 'name="model"\r\n\r\nstand-in-1')
    assert.include(form, 'name="response_format"\r\n\r\nverbose_json')
    assert.include(form, "RIFF")
    assert.strictEqual(
      await (await fetch(transcribed.transcript.txt_url)).text(),
      "Hello from the stand-in. Second line here.\n"
    )
    assert.strictEqual(
      await (await fetch(transcribed.transcript.srt_url)).text(),
      "1\n00:00:00,000 --> 00:00:02,500\nHello from the stand-in.\n\n2\n00:00:03,000 --> 00:00:05,250\nSecond line here.\n"
    )

    refuse = true
    const refused = await recordTwoIntervals(job)
    const failed = await waitFor(
      "the failed transcript",
      async () => {
        const recording = (await job.api("GET", `/recordings/${refused.sessionId}`)).body?.data
        return recording?.transcript?.status === "failed" ? recording : undefined
      },
      60_000
    )
    assert.strictEqual(failed.transcript.failure_reason, "engine failed")
    assert.strictEqual(failed.phase, "ready", "the recording itself is fine")
    await waitFor("transcription.failure", async () =>
      messages(receiver).some((m) => m.type === "transcription.failure" && m.data.recording_id === refused.sessionId)
        ? true
        : undefined
    )
    const told = messages(receiver).filter(
      (m) => m.data.recording_id === refused.sessionId && m.type.startsWith("transcription.")
    )
    assert.deepStrictEqual(
      told.map((m) => [m.type, m.data.onair_reason ?? null]),
      [
        ["transcription.started.success", null],
        ["transcription.failure", "engine failed"]
      ]
    )
  })
})
