/**
 * What the recordings tests share: the webhooks a receiver got, ffmpeg playing a URL to its end, and a
 * broadcast of two connected intervals with a disconnection between (one session, one recording).
 */
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { assert } from "vitest"
import { type MainJob, publish, type Receiver, waitFor } from "@onair/test-support"

export interface Message {
  readonly type: string
  readonly data: Record<string, any>
}

export const messages = (receiver: Receiver): Array<Message> =>
  receiver.received.map((r) => JSON.parse(r.body) as Message)

/** ffmpeg decodes `url` to its end: its exit code and the media time it reached (seconds). */
export const playToEnd = (url: string) =>
  new Promise<{ code: number; seconds: number }>((resolve) => {
    execFile(
      "ffmpeg",
      ["-nostdin", "-v", "error", "-stats", "-i", url, "-f", "null", "-"],
      { timeout: 60_000 },
      (error, _stdout, stderr) => {
        const times = [...String(stderr).matchAll(/time=(\d+):(\d+):(\d+\.\d+)/g)]
        const last = times.at(-1)
        const seconds = last === undefined ? 0 : Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3])
        resolve({ code: error === null ? 0 : ((error.code as number | undefined) ?? 1), seconds })
      }
    )
  })

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** A livestream with a reconnect window, published for two intervals with a disconnection between. */
export const recordTwoIntervals = async (
  job: MainJob,
  options?: { readonly whileLive?: (sessionId: string) => Promise<void> | void }
) => {
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
  // Three seconds of media in the first interval, three in the second.
  await first.hasSent(first.sentSeconds() + 3)
  await first.stop()
  await waitFor("the encoder gone", async () =>
    (await job.api("POST", `/livestreams/${livestream.id}/getStatus`)).body.value[0].healthDescriptions.length === 0
      ? true
      : undefined
  )
  const again = publish(url)
  await waitFor("the publisher back", async () =>
    (await job.api("GET", `/livestreams/${livestream.id}/ingest`)).body.data.status === "4" ? true : undefined
  )
  await again.hasSent(again.sentSeconds() + 3)
  await again.stop()
  await waitFor("the session to end", async () => {
    const record = (await job.api("GET", `/livestreams/${livestream.id}/ingest`)).body.data
    return record.streamEndedReason !== null && record.endTime !== null ? true : undefined
  })
  return { livestreamId: livestream.id, sessionId }
}

export const recordingOf = (job: MainJob, id: string, phase: string) =>
  waitFor(
    `the recording ${phase}`,
    async () => {
      const recording = (await job.api("GET", `/recordings/${id}`)).body?.data
      return recording?.phase === phase ? recording : undefined
    },
    60_000
  )
