/// <reference lib="dom" />
/**
 * Low-latency HLS end to end: a livestream created with `latency_mode: "low"`, ffmpeg publishing over RTMP,
 * the node's packager cutting CMAF parts, and the playlist at the livestream's own `playback_url`.
 *
 * - The livestream record says its mode; an unknown mode is a 400 naming `latency_mode`.
 * - The media playlist carries parts, preload hints and blocking reload, and a blocked reload answers when
 *   the part it asked for arrives: within one part duration of the hinted part's own answer.
 * - A reload too far ahead, or `_HLS_part` alone, is a 400 at once.
 * - hls.js in Chromium with `lowLatencyMode` plays it as LL-HLS (parts loaded), about two seconds behind.
 * - An encoder that drops for 10 s inside a 30 s window: the playlist goes on with the slate (the app's own
 *   image, after a discontinuity), the player's time keeps advancing through it, and the encoder's return
 *   is live again after another; the session's end ends the playlist.
 * - A DVR window: 85 s and more of a broadcast (published faster than real time) stay in the live playlist, past
 *   the memory window, offered as delta updates (`_HLS_skip`), and hls.js seeks back 60 s and plays from there.
 */
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import { createRequire } from "node:module"
import type { AddressInfo } from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { assert, describe, it } from "vitest"
import { publish, waitFor } from "@onair/test-support"
import { usePlayers } from "@onair/test-support/browser"

const exec = promisify(execFile)
const require = createRequire(import.meta.url)
const HLS_JS = require.resolve("hls.js/dist/hls.min.js")

interface Created {
  readonly id: string
  readonly stream_key: string
  readonly playback_url: string
  readonly latency_mode: string
}

/** The part the playlist's preload hint names: its segment and index. */
const hintOf = (playlist: string) => {
  const match = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="(\d+)\.(\d+)\.m4s"/.exec(playlist)
  return match === null ? undefined : { msn: Number(match[1]), part: Number(match[2]) }
}

const timed = async (url: string) => {
  const started = performance.now()
  const response = await fetch(url)
  const body = new Uint8Array(await response.arrayBuffer())
  return { status: response.status, body, text: new TextDecoder().decode(body), at: performance.now(), started }
}

describe("low-latency HLS", { timeout: 180_000 }, () => {
  const players = usePlayers({ ONAIR_OUTBOUND_ALLOWLIST: "127.0.0.1/32" })

  it("takes latency_mode on create and PATCH, shows it, and refuses an unknown one naming the field", async () => {
    const created = await players.job.api("POST", "/livestreams", { name: "modes" })
    assert.strictEqual(created.status, 201)
    assert.strictEqual(created.body.data.latency_mode, "standard")
    const id = created.body.data.id
    const patched = await players.job.api("PATCH", `/livestreams/${id}`, { latency_mode: "realtime" })
    assert.strictEqual(patched.status, 200, JSON.stringify(patched.body))
    const read = await players.job.api("GET", `/livestreams/${id}`)
    assert.strictEqual(read.body.data.livestream.latency_mode, "realtime")
    for (const [method, path] of [
      ["POST", "/livestreams"],
      ["PATCH", `/livestreams/${id}`]
    ] as const) {
      const refused = await players.job.api(method, path, { latency_mode: "instant" })
      assert.strictEqual(refused.status, 400, `${method} ${JSON.stringify(refused.body)}`)
      assert.include(JSON.stringify(refused.body), "latency_mode")
    }
  })

  it("serves parts with blocking reload and preload hints; hls.js plays it in low-latency mode", async () => {
    const created = await players.job.api("POST", "/livestreams", { name: "low", latency_mode: "low" })
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    const livestream = created.body.data as Created
    assert.strictEqual(livestream.latency_mode, "low")
    const encoder = publish(`rtmp://127.0.0.1:${players.job.rtmpPort}/live/${livestream.stream_key}`)
    try {
      const variant = await waitFor(
        "the low-latency playlist",
        async () => {
          const master = await fetch(livestream.playback_url)
          if (master.status !== 200) return undefined
          const uri = (await master.text()).split("\n").find((line) => line.endsWith("index.m3u8"))
          const url = new URL(uri!, livestream.playback_url).toString()
          const playlist = await (await fetch(url)).text()
          return playlist.includes("#EXTINF:") ? { url, playlist } : undefined
        },
        40_000
      )
      const { playlist } = variant
      assert.include(playlist, "#EXT-X-VERSION:6")
      assert.match(playlist, /#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=[\d.]+/)
      assert.match(playlist, /#EXT-X-PART-INF:PART-TARGET=0\.3\d+/)
      assert.match(playlist, /#EXT-X-MAP:URI="init-0\.mp4"/)
      assert.match(playlist, /#EXT-X-PROGRAM-DATE-TIME:\d{4}-/)
      assert.match(playlist, /#EXT-X-PART:DURATION=[\d.]+,URI="\d+\.\d+\.m4s"/)
      const partTarget = Number(/PART-TARGET=([\d.]+)/.exec(playlist)?.[1])
      // RFC 8216bis 4.4.4.9: no part lasts longer than the part target.
      for (const match of playlist.matchAll(/#EXT-X-PART:DURATION=([\d.]+)/g)) {
        assert.isAtMost(Number(match[1]), partTarget, playlist)
      }

      // The map and a part answer as MP4 at the playlist's own relative paths.
      const init = await timed(new URL("init-0.mp4", variant.url).toString())
      assert.strictEqual(init.status, 200)
      assert.strictEqual(init.text.slice(4, 8), "ftyp")

      // Ask for the next part twice at once: the blocked playlist reload, and the hinted part itself.
      const fresh = await (await fetch(variant.url)).text()
      const hint = hintOf(fresh)
      assert.isDefined(hint, fresh)
      const [reload, part] = await Promise.all([
        timed(`${variant.url}?_HLS_msn=${hint!.msn}&_HLS_part=${hint!.part}`),
        timed(new URL(`${hint!.msn}.${hint!.part}.m4s`, variant.url).toString())
      ])
      assert.strictEqual(reload.status, 200)
      // The hinted part, or (when the segment ended before it) the next segment's first.
      assert.match(reload.text, new RegExp(`URI="(${hint!.msn}\\.${hint!.part}|${hint!.msn + 1}\\.0)\\.m4s"`))
      if (part.status === 200) {
        assert.strictEqual(part.text.slice(4, 8), "moof")
        const apart = Math.abs(reload.at - part.at)
        console.log(
          `LL-HLS: blocked reload held ${Math.round(reload.at - reload.started)} ms; answered ${Math.round(apart)} ms from the part's own answer (part target ${partTarget * 1000} ms)`
        )
        assert.isAtMost(apart, partTarget * 1000, "the reload answers within one part duration of the part")
      } else assert.strictEqual(part.status, 404, "a hinted part that never came")

      // Too far ahead, or a part without its segment: refused at once.
      const ahead = await timed(`${variant.url}?_HLS_msn=${hint!.msn + 10}`)
      assert.strictEqual(ahead.status, 400)
      assert.include(ahead.text, "_HLS_msn")
      assert.strictEqual((await fetch(`${variant.url}?_HLS_part=1`)).status, 400)
      const farPart = await timed(new URL(`${hint!.msn + 50}.0.m4s`, variant.url).toString())
      assert.strictEqual(farPart.status, 404, "a part that will not come soon is not waited for")
      assert.isBelow(farPart.at - farPart.started, 1000)

      // hls.js in low-latency mode loads parts, and plays close to the live edge.
      const player = await players.browser.newPage()
      await player.goto(`${players.origin}/player`)
      await player.addScriptTag({ path: HLS_JS })
      const played = await player.evaluate(async (url) => {
        const video = document.querySelector("video")!
        const hls = new (window as any).Hls({ lowLatencyMode: true })
        let partsLoaded = 0
        hls.on("hlsFragLoaded", (_: unknown, data: { part?: unknown }) => {
          if (data.part != null) partsLoaded++
        })
        hls.loadSource(url)
        hls.attachMedia(video)
        await new Promise((resolve) => hls.on("hlsManifestParsed", resolve))
        await video.play().catch(() => {})
        const deadline = Date.now() + 30_000
        while (video.currentTime < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200))
        const startedAt = video.currentTime
        await new Promise((resolve) => setTimeout(resolve, 2_000))
        const seen = {
          currentTime: video.currentTime,
          advanced: video.currentTime - startedAt,
          partsLoaded,
          latency: hls.latency as number,
          targetLatency: hls.targetLatency as number
        }
        hls.destroy()
        return seen
      }, livestream.playback_url)
      console.log(
        `LL-HLS in hls.js: ${played.partsLoaded} parts loaded; latency ${played.latency.toFixed(2)} s (its target ${played.targetLatency?.toFixed(2)} s)`
      )
      assert.isAtLeast(played.currentTime, 4, JSON.stringify(played))
      assert.isAtLeast(played.advanced, 1, JSON.stringify(played))
      assert.isAtLeast(played.partsLoaded, 3, "hls.js plays it as LL-HLS, part by part")

      // A player without LL-HLS plays the same playlist as ordinary HLS, segment by segment.
      await player.close()
      const plainPlayer = await players.browser.newPage()
      await plainPlayer.goto(`${players.origin}/player`)
      await plainPlayer.addScriptTag({ path: HLS_JS })
      const plain = await plainPlayer.evaluate(async (url) => {
        const video = document.querySelector("video")!
        const hls = new (window as any).Hls({ lowLatencyMode: false })
        let parts = 0
        let segments = 0
        hls.on("hlsFragLoaded", (_: unknown, data: { part?: unknown }) => {
          if (data.part != null) parts++
          else segments++
        })
        hls.loadSource(url)
        hls.attachMedia(video)
        await new Promise((resolve) => hls.on("hlsManifestParsed", resolve))
        await video.play().catch(() => {})
        const started = Date.now()
        while (video.currentTime < 2 && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 200))
        const at = video.currentTime
        await new Promise((resolve) => setTimeout(resolve, 1_500))
        const seen = { parts, segments, advanced: video.currentTime - at }
        hls.destroy()
        return seen
      }, livestream.playback_url)
      assert.strictEqual(plain.parts, 0, JSON.stringify(plain))
      assert.isAtLeast(plain.segments, 1, JSON.stringify(plain))
      assert.isAtLeast(plain.advanced, 0.5, JSON.stringify(plain))
      await plainPlayer.close()
    } finally {
      encoder.stop()
    }
  })

  it("keeps players playing through an encoder's drop with the app's slate, returns to live, and ends with the session", async () => {
    // The app's own slate: a red picture, served here; a URL that is not http(s) is refused naming the field.
    const image = Path.join(Os.tmpdir(), `onair-slate-${process.pid}.png`)
    await exec("ffmpeg", [
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      "color=c=red:size=320x180",
      "-frames:v",
      "1",
      "-y",
      image
    ])
    const images = Http.createServer((_, response) => {
      response.writeHead(200, { "content-type": "image/png" })
      response.end(Fs.readFileSync(image))
    })
    await new Promise<void>((resolve) => images.listen(0, "127.0.0.1", resolve))
    const slateUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/slate.png`
    const refusedUrl = await players.job.api("PATCH", "/settings", { slate_image_url: "ftp://example.com/slate.png" })
    assert.strictEqual(refusedUrl.status, 400)
    assert.include(JSON.stringify(refusedUrl.body), "slate_image_url")
    const settings = await players.job.api("PATCH", "/settings", { slate_image_url: slateUrl })
    assert.strictEqual(settings.status, 200, JSON.stringify(settings.body))
    assert.strictEqual(settings.body.data.slate_image_url, slateUrl)

    const created = await players.job.api("POST", "/livestreams", { name: "slate", latency_mode: "low" })
    const livestream = created.body.data as Created & { id: string }
    const patched = await players.job.api("PATCH", `/livestreams/${livestream.id}`, { reconnect_window_seconds: 30 })
    assert.strictEqual(patched.status, 200)
    const url = `rtmp://127.0.0.1:${players.job.rtmpPort}/live/${livestream.stream_key}`
    let encoder = publish(url)
    const player = await players.browser.newPage()
    try {
      await waitFor(
        "playable",
        async () => ((await fetch(livestream.playback_url)).status === 200 ? true : undefined),
        40_000
      )
      await player.goto(`${players.origin}/player`)
      await player.addScriptTag({ path: HLS_JS })
      await player.evaluate((url) => {
        const video = document.querySelector("video")!
        const hls = new (window as any).Hls({ lowLatencyMode: true })
        const errors: Array<string> = []
        hls.on("hlsError", (_: unknown, data: { details: string; fatal: boolean }) => {
          if (data.fatal) errors.push(data.details)
        })
        ;(window as any).player = { hls, errors }
        hls.loadSource(url)
        hls.attachMedia(video)
        hls.on("hlsManifestParsed", () => void video.play().catch(() => {}))
      }, livestream.playback_url)
      const currentTime = () => player.evaluate(() => document.querySelector("video")!.currentTime)
      await waitFor("playing", async () => ((await currentTime()) > 2 ? true : undefined), 30_000)
      const master = await (await fetch(livestream.playback_url)).text()
      const variant = new URL(master.split("\n").find((line) => line.endsWith("index.m3u8"))!, livestream.playback_url)

      // The encoder drops for 10 s: the slate keeps the playlist moving, and the player plays on.
      await encoder.stop()
      const droppedAt = await currentTime()
      const slated = await waitFor(
        "the slate in the playlist",
        async () => {
          const playlist = await (await fetch(variant)).text()
          return playlist.includes('#EXT-X-MAP:URI="init-1.mp4"') ? playlist : undefined
        },
        15_000
      )
      assert.include(slated, "#EXT-X-DISCONTINUITY")
      // The slate is the app's picture: red.
      const afterMap = slated.slice(slated.indexOf('#EXT-X-MAP:URI="init-1.mp4"'))
      const slatePart = /URI="(\d+\.\d+\.m4s)"/.exec(afterMap)?.[1]
      assert.isDefined(slatePart, slated)
      const picture = Path.join(Os.tmpdir(), `onair-slate-${process.pid}.mp4`)
      Fs.writeFileSync(
        picture,
        Buffer.concat(
          await Promise.all(
            ["init-1.mp4", slatePart!].map(
              async (name) => new Uint8Array(await (await fetch(new URL(name, variant))).arrayBuffer())
            )
          )
        )
      )
      const { stdout } = await exec(
        "ffmpeg",
        [
          "-loglevel",
          "error",
          "-i",
          picture,
          "-frames:v",
          "1",
          "-vf",
          "scale=1:1",
          "-f",
          "rawvideo",
          "-pix_fmt",
          "rgb24",
          "-"
        ],
        { encoding: "buffer" }
      )
      const [red, green, blue] = [...new Uint8Array(stdout)]
      assert.isTrue(red! > 180 && green! < 80 && blue! < 80, `the slate's colour: ${red}, ${green}, ${blue}`)
      await new Promise((resolve) => setTimeout(resolve, 10_000))
      const duringDrop = await currentTime()
      assert.isAtLeast(
        duringDrop - droppedAt,
        6,
        `the player advanced through the slate: ${droppedAt} -> ${duringDrop}`
      )
      const live = await players.job.api("GET", `/livestreams/${livestream.id}`)
      assert.strictEqual(live.body.data.livestream.status, "LIVE", "inside its window the session goes on")

      // The encoder returns: the live feed again, after another discontinuity, and the player follows.
      encoder = publish(url)
      await waitFor(
        "the live feed back",
        async () => ((await (await fetch(variant)).text()).includes('#EXT-X-MAP:URI="init-2.mp4"') ? true : undefined),
        20_000
      )
      const returnedAt = await currentTime()
      await new Promise((resolve) => setTimeout(resolve, 4_000))
      assert.isAtLeast((await currentTime()) - returnedAt, 2, "the player plays on after the return")
      assert.deepStrictEqual(await player.evaluate(() => (window as any).player.errors), [])

      // The session ends (the key disabled): the playlist ends.
      assert.strictEqual((await players.job.api("POST", `/livestreams/${livestream.id}/disable`)).status, 200)
      const ended = await waitFor(
        "the playlist's end",
        async () => {
          const response = await fetch(variant)
          const text = response.status === 200 ? await response.text() : ""
          return text.includes("#EXT-X-ENDLIST") || response.status === 404 ? text : undefined
        },
        20_000
      )
      assert.notInclude(ended, "PRELOAD-HINT")
    } finally {
      await player.close()
      await encoder.stop()
      images.close()
      await players.job.api("PATCH", "/settings", { slate_image_url: null })
    }
  })

  it("keeps a DVR window in the live playlist, and hls.js seeks back 60 s in it", async () => {
    const created = await players.job.api("POST", "/livestreams", { name: "dvr", dvr_window_seconds: 600 })
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    const livestream = created.body.data as Created & { id: string; dvr_window_seconds: number }
    assert.strictEqual(livestream.dvr_window_seconds, 600)
    assert.strictEqual(
      (await players.job.api("PATCH", `/livestreams/${livestream.id}`, { dvr_window_seconds: 14_401 })).status,
      400
    )
    // 110 s of media at ten times real time (the packager joins within a second or two of the publish);
    // then the encoder is gone, inside its window (the slate plays on).
    await exec(
      "ffmpeg",
      [
        ...["-nostdin", "-loglevel", "error", "-readrate", "10"],
        ...["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-t", "110"],
        ...["-f", "lavfi", "-i", "sine=frequency=500", "-t", "110", "-c:v", "libx264", "-preset", "ultrafast"],
        ...["-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv"],
        `rtmp://127.0.0.1:${players.job.rtmpPort}/live/${livestream.stream_key}`
      ],
      { timeout: 60_000 }
    )
    const master = await waitFor(
      "the DVR playlist",
      async () => {
        const response = await fetch(livestream.playback_url)
        return response.status === 200 ? response.text() : undefined
      },
      20_000
    )
    const variant = new URL(master.split("\n").find((line) => line.endsWith("index.m3u8"))!, livestream.playback_url)
    const listed = await waitFor(
      "90 s listed",
      async () => {
        const playlist = await (await fetch(variant)).text()
        const seconds = playlist
          .split("\n")
          .filter((line) => line.startsWith("#EXTINF:"))
          .reduce((sum, line) => sum + Number.parseFloat(line.slice(8)), 0)
        return seconds >= 85 ? playlist : undefined
      },
      20_000
    )
    assert.include(listed, "\n0.m4s\n", "the broadcast's first segment is still listed")
    const oldest = await fetch(new URL("0.m4s", variant))
    assert.strictEqual(oldest.status, 200, "and served, from the node's disk")
    // A long playlist offers delta updates: `_HLS_skip=YES` answers the newest segments and how many it skipped.
    assert.match(listed, /CAN-SKIP-UNTIL=\d+/)
    const delta = await (await fetch(`${variant}?_HLS_skip=YES`)).text()
    assert.match(delta, /#EXT-X-SKIP:SKIPPED-SEGMENTS=\d+/)
    assert.isBelow(delta.length, listed.length / 2)
    assert.strictEqual((await fetch(`${variant}?_HLS_skip=MAYBE`)).status, 400)

    const player = await players.browser.newPage()
    try {
      await player.goto(`${players.origin}/player`)
      await player.addScriptTag({ path: HLS_JS })
      const seeked = await player.evaluate(async (url) => {
        const video = document.querySelector("video")!
        const hls = new (window as any).Hls()
        hls.loadSource(url)
        hls.attachMedia(video)
        await new Promise((resolve) => hls.on("hlsManifestParsed", resolve))
        await video.play().catch(() => {})
        const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
        for (let tries = 0; tries < 100 && video.currentTime === 0; tries++) await wait(200)
        const live = video.currentTime
        const range = video.seekable.length > 0 ? video.seekable.end(0) - video.seekable.start(0) : 0
        video.currentTime = live - 60
        await new Promise((resolve) => video.addEventListener("seeked", resolve, { once: true }))
        const landed = video.currentTime
        await wait(3_000)
        return { live, range, landed, after: video.currentTime }
      }, livestream.playback_url)
      assert.isAtLeast(seeked.range, 80, `the seekable range: ${JSON.stringify(seeked)}`)
      assert.approximately(seeked.landed, seeked.live - 60, 3, JSON.stringify(seeked))
      assert.isAtLeast(seeked.after - seeked.landed, 1, `it plays from there: ${JSON.stringify(seeked)}`)
    } finally {
      await player.close()
    }
  })
})
