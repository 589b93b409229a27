/**
 * SRT ingest end to end. The main job gives livestreams ports of its SRT range (`ONAIR_SRT_PORTS`). Its
 * node listens there, with each stream key as the passphrase, and ffmpeg is the SRT caller.
 *
 * - A caller with the key publishes, and the stream plays at the `playback_url`. The views say SRT:
 *   `encoderType` `unknown`, `protocol` `srt`, `protocolType` `SRT`.
 * - A caller with another passphrase is refused and changes nothing.
 * - Ports are unique, even when asked for at once. The range runs out with 409. Turning SRT off, or
 *   deleting the livestream, frees the port.
 */
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type MainJob, probe, publish, startMainJob, waitFor } from "@onair/test-support"

/** A range of three ports, away from the other tests' ephemeral ones. */
const FIRST_PORT = 30_000 + Math.floor(Math.random() * 500) * 3

describe("SRT ingest, with ffmpeg as the caller", { timeout: 120_000 }, () => {
  let job: MainJob

  beforeAll(async () => {
    // One app takes the whole range here: the quota (a quarter by default) is tested with the node API.
    job = await startMainJob({
      ONAIR_SRT: "on",
      ONAIR_SRT_PORTS: `${FIRST_PORT}-${FIRST_PORT + 2}`,
      ONAIR_SRT_PORTS_PER_APP: "10"
    })
  }, 90_000)
  afterAll(async () => {
    await job?.stop()
  })

  const create = async () => {
    const created = await job.api("POST", "/livestreams", { name: "srt" })
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    return created.body.data as { id: string; stream_key: string; playback_url: string }
  }
  const open = (id: string) => job.api("PUT", `/livestreams/${id}/srt`)
  const caller = (port: number, passphrase: string) =>
    publish(`srt://127.0.0.1:${port}?passphrase=${passphrase}&pbkeylen=16`)
  const ingest = async (id: string) => (await job.api("GET", `/livestreams/${id}/ingest`)).body.data
  const detail = async (id: string) => (await job.api("GET", `/livestreams/${id}`)).body.data.livestream

  it("a caller with the key publishes; the views say SRT; the stream plays; a wrong passphrase changes nothing", async () => {
    const livestream = await create()
    assert.strictEqual((await job.api("GET", `/livestreams/${livestream.id}/srt`)).status, 404)
    const opened = await open(livestream.id)
    assert.strictEqual(opened.status, 200, JSON.stringify(opened.body))
    const { port, srt_ingest_url: url } = opened.body.data
    assert.isAtLeast(port, FIRST_PORT)
    assert.strictEqual(url, `srt://localhost:${port}?passphrase=${livestream.stream_key}&pbkeylen=16`)
    assert.strictEqual((await open(livestream.id)).body.data.port, port, "asked again, the same port")

    // The node listens within a round; a wrong passphrase fails the handshake.
    const wrong = await waitFor("the listener to refuse a wrong passphrase", async () => {
      const attempt = caller(port, "w".repeat(64))
      const code = await attempt.exited
      return code !== 0 && /passphrase|Input\/output|reject/i.test(attempt.output()) ? attempt : undefined
    })
    assert.notStrictEqual(await wrong.exited, 0)
    assert.strictEqual((await detail(livestream.id)).status, "INVOKED")

    const encoder = caller(port, livestream.stream_key)
    await waitFor("LIVE", async () => ((await detail(livestream.id)).status === "LIVE" ? true : undefined), 30_000)
    const record = await ingest(livestream.id)
    assert.strictEqual(record.protocol, "srt")
    assert.strictEqual(record.encoderType, "unknown")
    assert.strictEqual(record.isRtmpSession, false)
    await waitFor("a playlist", async () => ((await fetch(livestream.playback_url)).ok ? true : undefined), 30_000)
    const streams = (await probe(livestream.playback_url)).map((stream) => stream.codec_name)
    assert.includeMembers(streams, ["h264", "aac"])
    const health = await waitFor("the health", async () => {
      const [source] = (await job.api("POST", `/livestreams/${livestream.id}/getStatus`)).body.value[0]
        .healthDescriptions
      return typeof source === "string" && source.startsWith("{") ? JSON.parse(source) : undefined
    })
    assert.strictEqual(health.protocolType, "SRT")
    assert.strictEqual(health.videoResolution, "640x360")
    await encoder.stop()
  })

  it("ports are unique even when asked for at once; the range runs out with 409; off and delete free a port", async () => {
    // The first test's livestream holds one port: two are left.
    const [a, b, c] = await Promise.all([create(), create(), create()])
    const answers = await Promise.all([a, b, c].map((livestream) => open(livestream.id)))
    const statuses = answers.map((answer) => answer.status).sort()
    assert.deepStrictEqual(statuses, [200, 200, 409], JSON.stringify(answers.map((answer) => answer.body)))
    const ports = answers.filter((answer) => answer.status === 200).map((answer) => answer.body.data.port)
    assert.strictEqual(new Set(ports).size, 2)
    const refused = answers.find((answer) => answer.status === 409)!
    assert.strictEqual(refused.body.errors[0].code, "no_free_srt_port")

    const [holder] = [a, b, c].filter((_, index) => answers[index]!.status === 200)
    const waiting = [a, b, c][answers.findIndex((answer) => answer.status === 409)]!
    const closed = await job.api("DELETE", `/livestreams/${holder!.id}/srt`)
    assert.strictEqual(closed.status, 200)
    assert.strictEqual((await job.api("GET", `/livestreams/${holder!.id}/srt`)).status, 404)
    const reopened = await open(waiting.id)
    assert.strictEqual(reopened.status, 200)

    // A deleted livestream gives its port back.
    const other = [a, b, c].find((livestream) => livestream !== holder && livestream !== waiting)!
    assert.strictEqual((await job.api("DELETE", `/livestreams/${other.id}`)).status, 200)
    assert.strictEqual((await open(holder!.id)).status, 200)
  })
})

describe("SRT ingest turned off", { timeout: 60_000 }, () => {
  it("answers 400 naming srt", async () => {
    const job = await startMainJob({ ONAIR_MEDIA: "off" })
    try {
      const created = (await job.api("POST", "/livestreams", { name: "no srt" })).body.data
      const answer = await job.api("PUT", `/livestreams/${created.id}/srt`)
      assert.strictEqual(answer.status, 400)
      assert.match(answer.body.errors[0].message, /^srt: /)
    } finally {
      await job.stop()
    }
  })
})
