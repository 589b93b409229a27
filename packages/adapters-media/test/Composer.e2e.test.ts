/**
 * Livestreaming a meeting for real: the composer opens the meeting's page (served here: a red picture
 * with a moving white square, and a tone) in Chromium on a virtual screen, and publishes it as the meeting
 * livestream's broadcast.
 *
 * - The app's `meeting_url_template` names the page; `video_config` with a width alone makes a 16:9 picture.
 *   The livestream goes LIVE; its `playback_url` carries H.264 at that size and AAC, and a frame of it
 *   shows the page's red. Stopping it by the API stops the composer (its screen goes).
 * - A start naming a page at an internal address is a 400 naming `meeting_url`; a page's own request to an
 *   internal address (the cloud metadata one) is refused by the composer's proxy.
 * - A page that does not load (404) is tried three times, then the broadcast ends with
 *   `MAX_RETRIES_REACHED`.
 * - The meeting's room ending (the real-time engine's `room.end.success`) stops it: `room ended`.
 * - A start is placed only on a node whose heartbeats say it has room for the composer: with none, 503
 *   `no_composer_room`.
 */
import { execFile } from "node:child_process"
import { createHmac } from "node:crypto"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Path from "node:path"
import { promisify } from "node:util"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type MainJob, startMainJob, waitFor } from "@onair/test-support"
import { artifactsDir } from "@onair/test-support/browser"

const exec = promisify(execFile)

/**
 * The meeting page: full-window red with a moving white square, a 440 Hz tone, and a request inward. It
 * asks the meeting app (this test's server) who is in its room, and turns green while anybody is.
 */
const MEETING_PAGE = `<!doctype html><html><head><title>meeting</title><style>html,body{margin:0;height:100%;overflow:hidden;background:#f00}</style></head>
<body><canvas id="c"></canvas><script>
const canvas = document.getElementById("c")
canvas.width = innerWidth; canvas.height = innerHeight
const context = canvas.getContext("2d")
let frame = 0
let colour = "#f00"
const room = location.pathname.split("/")[2]
setInterval(() => fetch("/people?room=" + room).then((answer) => answer.text()).then((people) => {
  colour = Number(people) > 0 ? "#0c0" : "#f00"
}).catch(() => {}), 300)
const draw = () => {
  frame++
  context.fillStyle = colour; context.fillRect(0, 0, canvas.width, canvas.height)
  context.fillStyle = "#fff"; context.fillRect((frame * 6) % canvas.width, canvas.height / 2, 60, 60)
  requestAnimationFrame(draw)
}
draw()
const audio = new AudioContext()
const tone = audio.createOscillator(); tone.frequency.value = 440; tone.connect(audio.destination); tone.start()
// What a compromised meeting page might try: the cloud's metadata address, from inside the node.
fetch("http://169.254.169.254/latest/meta-data/", { mode: "no-cors" }).catch(() => {})
</script></body></html>`

/** The real-time engine's secret for its events to OnAir (Standard Webhooks). */
const INBOUND_SECRET = `whsec_${Buffer.from("the meeting engine's secret, 32b").toString("base64")}`

/** An event of the real-time engine about a meeting, signed as Standard Webhooks signs. */
const engineEvent = (job: MainJob, meetingId: string, type: string, data: object = {}) => {
  const id = crypto.randomUUID()
  const body = JSON.stringify({
    version: "2.0",
    id,
    account_id: job.account,
    app_id: job.app,
    timestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    type,
    data: { room_id: meetingId, session_id: "rtc-session-1", ...data }
  })
  const at = String(Math.floor(Date.now() / 1000))
  const key = Buffer.from(INBOUND_SECRET.slice("whsec_".length), "base64")
  const signature = createHmac("sha256", key).update(`${id}.${at}.${body}`).digest("base64")
  return fetch(`${job.url}/webhooks/realtime`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": at,
      "webhook-signature": `v1,${signature}`
    },
    body
  })
}

describe("meeting composer", { timeout: 180_000 }, () => {
  let job: MainJob
  let pages: Http.Server
  let pageBase: string
  const requested: Array<string> = []
  /** Who is in each room, as the meeting app knows it. */
  const people = new Map<string, number>()

  beforeAll(async () => {
    pages = Http.createServer((request, response) => {
      requested.push(request.url ?? "")
      if ((request.url ?? "").startsWith("/people?")) {
        const room = new URL(request.url ?? "", pageBase).searchParams.get("room") ?? ""
        response.writeHead(200, { "content-type": "text/plain" })
        response.end(String(people.get(room) ?? 0))
        return
      }
      if ((request.url ?? "").startsWith("/rooms/")) {
        response.writeHead(200, { "content-type": "text/html" })
        response.end(MEETING_PAGE)
        return
      }
      response.writeHead(404, { "content-type": "text/plain" })
      response.end("no such room\n")
    })
    await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve))
    pageBase = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`
    // The page is served on loopback here: the operator admits it, as it would a meeting app on its network.
    job = await startMainJob({
      ONAIR_OUTBOUND_ALLOWLIST: "127.0.0.1/32",
      ONAIR_COMPOSER: "on",
      // Room for one 640x360 composer (0.2 of a core) and not two.
      ONAIR_COMPOSER_CPU_CORES: "0.3",
      ONAIR_INBOUND_WEBHOOK_SECRET: INBOUND_SECRET
    })
  }, 90_000)
  afterAll(async () => {
    await job?.stop()
    pages?.close()
  })

  const meeting = async () => {
    const created = await job.api("POST", "/meetings", { title: "Town hall" })
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    return created.body.data.id as string
  }
  const detail = async (id: string) => (await job.api("GET", `/livestreams/${id}`)).body.data
  /** The webhook feed's beam events of a livestream, once `count` are there. */
  const beams = (livestreamId: string, count: number) =>
    waitFor(`${count} beam events`, async () => {
      const { events } = (await job.api("GET", "/webhooks/events?after=0&limit=1000")).body.data
      const found = events.filter(
        (event: { type: string; data: { beam_id?: string } }) =>
          event.type.startsWith("beam.") && event.data.beam_id === livestreamId
      )
      return found.length >= count ? found : undefined
    })
  const screens = async () => {
    const { stdout } = await exec("pgrep", ["-f", "Xvfb -displayfd"]).catch(() => ({ stdout: "" }))
    return stdout.split("\n").filter((line) => line.trim() !== "").length
  }

  it("composes the meeting's page into its livestream at the asked size, and stops with it", async () => {
    const template = `${pageBase}/rooms/{meeting_id}?role=recorder`
    const settings = await job.api("PATCH", "/settings", { meeting_url_template: template })
    assert.strictEqual(settings.status, 200, JSON.stringify(settings.body))
    assert.strictEqual(settings.body.data.meeting_url_template, template)
    const meetingId = await meeting()
    assert.strictEqual((await engineEvent(job, meetingId, "session.open.success")).status, 200)
    const started = await job.api("POST", `/meetings/${meetingId}/livestreams`, { video_config: { width: 640 } })
    assert.strictEqual(started.status, 201, JSON.stringify(started.body))
    const { id, playback_url } = started.body.data as { id: string; playback_url: string }

    const live = await waitFor(
      "LIVE",
      async () => {
        const found = await detail(id)
        return found.livestream.status === "LIVE" ? found : undefined
      },
      60_000
    )
    assert.isTrue(requested.includes(`/rooms/${meetingId}?role=recorder`), requested.join(", "))
    console.log(`composer: LIVE ${live.livestream.updated_at}`)
    // The record shows its composer (OnAir's own field): the page, the size, and that it publishes.
    assert.deepStrictEqual(live.livestream.composer, {
      meeting_url: template.replace("{meeting_id}", meetingId),
      width: 640,
      height: 360,
      state: "running"
    })

    const streams = await waitFor(
      "H.264 and AAC at the playback URL",
      async () => {
        const { stdout } = await exec(
          "ffprobe",
          ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", playback_url],
          { timeout: 20_000 }
        ).catch(() => ({ stdout: "" }))
        return stdout.includes("h264") && stdout.includes("aac") ? stdout : undefined
      },
      40_000
    )
    assert.include(streams, "h264,640,360", streams)

    // A frame of the broadcast is the page's picture: red.
    const { stdout: rgb } = await exec(
      "ffmpeg",
      ["-v", "error", "-i", playback_url, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
      { encoding: "buffer", timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }
    )
    // Kept for whoever looks at a failure: the frame as a PNG in the artifacts folder.
    const raw = Path.join(artifactsDir(), "composer-frame.rgb")
    Fs.writeFileSync(raw, rgb)
    await exec("ffmpeg", [
      ...["-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "640x360", "-i", raw],
      ...["-y", Path.join(artifactsDir(), "composer-frame.png")]
    ]).catch(() => {})
    Fs.rmSync(raw, { force: true })
    const pixel = (x: number, y: number) => [...rgb.subarray((y * 640 + x) * 3, (y * 640 + x) * 3 + 3)]
    const [red, green, blue] = pixel(20, 20)
    assert.isAbove(red!, 200, `pixel ${pixel(20, 20)}`)
    assert.isBelow(green!, 60)
    assert.isBelow(blue!, 60)

    // Somebody joins the meeting: the page shows it (green), and so does the broadcast, live.
    people.set(meetingId, 1)
    const joined = await engineEvent(job, meetingId, "peer.join.success", { peer_id: "peer-alice" })
    assert.strictEqual(joined.status, 200)
    await waitFor(
      "the broadcast showing the join",
      async () => {
        const { stdout: frame } = await exec(
          "ffmpeg",
          ["-v", "error", "-i", playback_url, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
          { encoding: "buffer", timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }
        )
        const [r, g] = [frame[(20 * 640 + 20) * 3]!, frame[(20 * 640 + 20) * 3 + 1]!]
        return g > 150 && r < 80 ? true : undefined
      },
      30_000
    )

    // And its sound: the page's tone, not silence.
    const { stderr: volume } = await exec(
      "ffmpeg",
      ["-v", "info", "-i", playback_url, "-t", "2", "-vn", "-af", "volumedetect", "-f", "null", "-"],
      { timeout: 30_000 }
    )
    const mean = Number(/mean_volume: (-?[\d.]+) dB/.exec(volume)?.[1])
    assert.isAbove(mean, -30, `the broadcast's mean volume: ${mean} dB`)

    // The page's own request inward was refused by the composer's proxy.
    await waitFor("the refusal", async () => (job.log().includes("composer page refused") ? true : undefined), 10_000)
    assert.include(job.log(), "169.254.169.254")

    assert.strictEqual(await screens(), 1)
    const stopped = await job.api("POST", `/meetings/${meetingId}/active-livestream/stop`)
    assert.strictEqual(stopped.status, 200, JSON.stringify(stopped.body))
    await waitFor("the composer gone", async () => ((await screens()) === 0 ? true : undefined), 20_000)
    const after = (await detail(id)).livestream
    assert.notStrictEqual(after.status, "LIVE")
    assert.strictEqual(after.composer.state, "stopped")

    // The seed's beam events: started with its start delay, stopped by the client's request.
    const events = await beams(id, 2)
    const ofType = (type: string) => events.find((event: { type: string }) => event.type === type)
    const [beamStarted, beamStopped] = [ofType("beam.started.success"), ofType("beam.stopped.success")]
    assert.isDefined(beamStarted)
    assert.include(beamStarted.data, { room_id: meetingId, max_width: 640, max_height: 360, state_name: "Started" })
    assert.strictEqual(beamStarted.data.meeting_url, template.replace("{meeting_id}", meetingId))
    assert.isAtMost(beamStarted.data.start_delay, 15)
    console.log(`composer: start_delay ${beamStarted.data.start_delay} s`)
    assert.isDefined(beamStopped)
    assert.strictEqual(beamStopped.data.reason, "client request")
    // The composed broadcast was recorded: its beam's recording, once ready.
    const recorded = (await beams(id, 3)).find((event: { type: string }) => event.type === "beam.recording.success")
    assert.isDefined(recorded)
    assert.isAbove(recorded.data.size, 0)
    assert.isAbove(recorded.data.duration, 0)
    assert.match(recorded.data.recording_presigned_url, /^http/)
    assert.strictEqual(recorded.data.chat_recording_path, null)
    assert.strictEqual(recorded.data.max_width, 640)
  })

  it("stops when the meeting's room ends, with the seed's `room ended`", async () => {
    const meetingId = await meeting()
    // The engine's timestamps are whole seconds, so its events may name the second the meeting last changed in.
    assert.strictEqual((await engineEvent(job, meetingId, "session.open.success")).status, 200)
    const started = await job.api("POST", `/meetings/${meetingId}/livestreams`, {
      meeting_url: `${pageBase}/rooms/${meetingId}`,
      video_config: { height: 360 }
    })
    assert.strictEqual(started.status, 201, JSON.stringify(started.body))
    const id = started.body.data.id as string
    await waitFor("LIVE", async () => ((await detail(id)).livestream.status === "LIVE" ? true : undefined), 60_000)
    assert.strictEqual((await engineEvent(job, meetingId, "room.end.success")).status, 200)
    const stopped = (await beams(id, 2)).find((event: { type: string }) => event.type === "beam.stopped.success")
    assert.isDefined(stopped)
    assert.strictEqual(stopped.data.reason, "room ended")
    await waitFor("the composer gone", async () => ((await screens()) === 0 ? true : undefined), 20_000)
    assert.strictEqual((await job.api("GET", `/meetings/${meetingId}/active-livestream`)).status, 404)
  })

  it("places a composer only on a node with room for it: 503 naming the reason when none has", async () => {
    /** The node's room for composers, as its heartbeats say. */
    const room = async () => {
      const response = await fetch(`${job.url}/admin/media-nodes`, {
        headers: { authorization: `Bearer ${job.adminToken}` }
      })
      return ((await response.json()) as any).data.media_nodes[0].composer_room as number | null
    }
    await waitFor("the node's room said", async () => ((await room()) === 0.3 ? true : undefined), 30_000)
    const first = await meeting()
    const started = await job.api("POST", `/meetings/${first}/livestreams`, {
      meeting_url: `${pageBase}/rooms/${first}`,
      video_config: { width: 640 }
    })
    assert.strictEqual(started.status, 201, JSON.stringify(started.body))
    await waitFor("the room taken", async () => ((await room()) === 0.1 ? true : undefined), 30_000)
    const second = await meeting()
    const refused = await job.api("POST", `/meetings/${second}/livestreams`, {
      meeting_url: `${pageBase}/rooms/${second}`,
      video_config: { width: 640 }
    })
    assert.strictEqual(refused.status, 503, JSON.stringify(refused.body))
    assert.strictEqual(refused.body.errors[0].code, "no_composer_room")
    assert.include(refused.body.errors[0].message, "640x360")
    assert.strictEqual((await job.api("POST", `/meetings/${first}/active-livestream/stop`)).status, 200)
    await waitFor("the composer gone", async () => ((await screens()) === 0 ? true : undefined), 20_000)
    await waitFor("the room back", async () => ((await room()) === 0.3 ? true : undefined), 30_000)
  })

  it("refuses a meeting page at an internal address, naming the field", async () => {
    const meetingId = await meeting()
    const refused = await job.api("POST", `/meetings/${meetingId}/livestreams`, {
      meeting_url: "http://10.1.2.3/rooms/secret"
    })
    assert.strictEqual(refused.status, 400, JSON.stringify(refused.body))
    assert.include(JSON.stringify(refused.body.errors), "meeting_url")
    const notHttp = await job.api("POST", `/meetings/${meetingId}/livestreams`, { meeting_url: "file:///etc/passwd" })
    assert.strictEqual(notHttp.status, 400)
    assert.include(JSON.stringify(notHttp.body.errors), "meeting_url")
  })

  it("a page that does not load is tried three times, then the broadcast ends with MAX_RETRIES_REACHED", async () => {
    const meetingId = await meeting()
    const before = requested.filter((url) => url === "/missing").length
    const started = await job.api("POST", `/meetings/${meetingId}/livestreams`, {
      meeting_url: `${pageBase}/missing`,
      video_config: { width: 640 }
    })
    assert.strictEqual(started.status, 201, JSON.stringify(started.body))
    const id = started.body.data.id as string
    const ended = await waitFor(
      "the broadcast's end",
      async () => {
        const found = await detail(id)
        return found.session?.err_message?.includes("MAX_RETRIES_REACHED") ? found : undefined
      },
      60_000
    )
    assert.strictEqual(requested.filter((url) => url === "/missing").length - before, 3)
    assert.include(ended.session.err_message, "HTTP 404")
    const events = await beams(id, 2)
    assert.sameDeepMembers(
      events.map((event: { type: string; data: { error_type?: string; reason?: string } }) => [
        event.type,
        event.data.error_type ?? event.data.reason
      ]),
      [
        ["beam.failure", "MAX_RETRIES_REACHED"],
        ["beam.stopped.success", "failure: MAX_RETRIES_REACHED"]
      ]
    )
    await waitFor("no screen left", async () => ((await screens()) === 0 ? true : undefined), 20_000)
  })
})
