/// <reference lib="dom" />
/**
 * Adaptive renditions end to end. ffmpeg publishes 1280x720 to a livestream whose ladder is `720p`,
 * `480p` and `360p`. No rung is upscaled: 720p is the source itself, so the players get three variants.
 *
 * - The master playlist names three variants, and ffprobe reads each variant's resolution.
 * - Their segments start on the same keyframes.
 * - hls.js in Chromium switches between the lowest and the highest level.
 * - `getStatus` answers the seed's ABR form.
 *
 * A `low` livestream's ladder is packaged for LL-HLS: every variant's parts and segments numbered alike,
 * played by hls.js in low-latency mode, switching levels.
 *
 * A node whose CPU budget has no room for the ladder refuses it with its reason: in the ingest record and
 * in an `hls.failure` webhook (`onair_error_type` `RENDITIONS_REFUSED`). Its source is then served alone.
 */
import { execFile } from "node:child_process"
import { createRequire } from "node:module"
import { promisify } from "node:util"
import { assert, describe, it } from "vitest"
import { type MainJob, publish, startMainJob, waitFor } from "@onair/test-support"
import { type Players, usePlayers } from "@onair/test-support/browser"

const exec = promisify(execFile)
const require = createRequire(import.meta.url)
const HLS_JS = require.resolve("hls.js/dist/hls.min.js")
const LADDER = ["720p", "480p", "360p"]

const create = async (job: MainJob) => {
  const created = await job.api("POST", "/livestreams", { name: "ladder", renditions: LADDER })
  assert.strictEqual(created.status, 201, JSON.stringify(created.body))
  return created.body.data as { id: string; stream_key: string; playback_url: string }
}
const rtmp = (job: MainJob, key: string) => `rtmp://127.0.0.1:${job.rtmpPort}/live/${key}`
const status = async (job: MainJob, id: string) => (await job.api("POST", `/livestreams/${id}/getStatus`)).body.value[0]

/** The first keyframe time of the newest complete segment of a variant playlist. */
const firstKeyframe = async (playlistUrl: string, sequence: number) => {
  const url = new URL(`${sequence}.ts`, playlistUrl).toString()
  const { stdout } = await exec(
    "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", url],
    { timeout: 20_000 }
  )
  const line = stdout.split("\n").find((text) => text.includes("K"))
  return Number(line?.split(",")[0])
}

/**
 * hls.js in Chromium plays `url` (in low-latency mode or not), switches to its lowest level and then its
 * highest, and tells what it saw: the levels' heights, the picture's height after each switch, the parts it
 * loaded, where it played to and its latency.
 */
const switchLevels = async (players: Players, url: string, lowLatencyMode: boolean) => {
  const player = await players.browser.newPage()
  try {
    await player.goto(`${players.origin}/player`)
    await player.addScriptTag({ path: HLS_JS })
    return await player.evaluate(
      async ({ url, lowLatencyMode }) => {
        const video = document.querySelector("video")!
        const hls = new (window as any).Hls({ lowLatencyMode, capLevelToPlayerSize: false })
        let parts = 0
        hls.on("hlsFragLoaded", (_: unknown, data: { part?: unknown }) => {
          if (data.part != null) parts++
        })
        hls.loadSource(url)
        hls.attachMedia(video)
        await new Promise((resolve) => hls.on("hlsManifestParsed", resolve))
        await video.play().catch(() => {})
        const heightsSeen: Array<number> = []
        const switchTo = async (level: number, height: number) => {
          hls.currentLevel = level
          const deadline = Date.now() + 25_000
          while (video.videoHeight !== height && Date.now() < deadline)
            await new Promise((resolve) => setTimeout(resolve, 250))
          heightsSeen.push(video.videoHeight)
        }
        const levels: Array<number> = hls.levels.map((level: { height: number }) => level.height)
        await switchTo(levels.indexOf(Math.min(...levels)), 360)
        await switchTo(levels.indexOf(Math.max(...levels)), 720)
        const seen = { levels, heightsSeen, parts, currentTime: video.currentTime, latency: hls.latency as number }
        hls.destroy()
        return seen
      },
      { url, lowLatencyMode }
    )
  } finally {
    await player.close()
  }
}

describe("adaptive renditions", { timeout: 180_000 }, () => {
  const players = usePlayers({ ONAIR_ABR_CPU_CORES: "1.5" })

  it("a 3-rendition ladder: three variants by resolution, aligned keyframes, hls.js switches, getStatus in the ABR form", async () => {
    const livestream = await create(players.job)
    const encoder = publish(rtmp(players.job, livestream.stream_key), { size: "1280x720" })
    const [source, renditions] = await waitFor(
      "getStatus with renditions",
      async () => {
        const { healthDescriptions } = await status(players.job, livestream.id)
        return healthDescriptions.length === 2 ? healthDescriptions.map((text: string) => JSON.parse(text)) : undefined
      },
      40_000
    )
    assert.strictEqual(source.videoResolution, "1280x720")
    assert.deepStrictEqual(
      renditions.map((entry: { name: string; videoResolution: string }) => [entry.name, entry.videoResolution]),
      [
        ["source", "1280x720"],
        ["480p", "854x480"],
        ["360p", "640x360"]
      ]
    )
    for (const entry of renditions) assert.match(entry.videoCodecId, /^avc1\./)

    const master = await (await fetch(livestream.playback_url)).text()
    const variants = master.split("\n").filter((line) => line.endsWith("/index.m3u8"))
    assert.strictEqual(variants.length, 3, master)
    assert.include(master, "RESOLUTION=854x480")
    assert.include(master, "RESOLUTION=640x360")
    const urls = variants.map((variant) => new URL(variant, livestream.playback_url).toString())
    const sizes = []
    for (const url of urls) {
      const { stdout } = await exec(
        "ffprobe",
        ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", url],
        { timeout: 20_000 }
      )
      // A playlist's stream is listed under its program too: the first line is enough.
      sizes.push(stdout.trim().split("\n")[0])
    }
    assert.deepStrictEqual(sizes, ["1280,720", "854,480", "640,360"])

    // The same segment of every variant starts on the same keyframe (past the first: the copied source
    // starts where the relay joined it, before its first keyframe).
    const sequence = await waitFor(
      "a third segment",
      async () => {
        const playlist = await (await fetch(urls[1]!)).text()
        const numbers = [...playlist.matchAll(/^(\d+)\.ts$/gm)].map((match) => Number(match[1]))
        return numbers.length >= 3 ? numbers[numbers.length - 2] : undefined
      },
      30_000
    )
    const starts = await Promise.all(urls.map((url) => firstKeyframe(url, sequence)))
    for (const start of starts) assert.approximately(start, starts[0]!, 0.05, `keyframes ${starts.join(", ")}`)

    // hls.js sees three levels and switches to the lowest and back to the highest.
    const played = await switchLevels(players, livestream.playback_url, false)
    assert.sameMembers(played.levels, [720, 480, 360])
    assert.deepStrictEqual(played.heightsSeen, [360, 720])
    assert.isAbove(played.currentTime, 1)
    await encoder.stop()
  })

  it("a low-latency ladder: LL-HLS variants numbered alike, hls.js plays them part by part and switches levels", async () => {
    const created = await players.job.api("POST", "/livestreams", {
      name: "low ladder",
      renditions: LADDER,
      latency_mode: "low"
    })
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    const livestream = created.body.data as { id: string; stream_key: string; playback_url: string }
    const encoder = publish(rtmp(players.job, livestream.stream_key), { size: "1280x720" })
    try {
      const master = await waitFor(
        "three low-latency variants",
        async () => {
          const answer = await fetch(livestream.playback_url)
          const text = answer.ok ? await answer.text() : ""
          return text.split("\n").filter((line) => line.endsWith("index.m3u8")).length === 3 ? text : undefined
        },
        40_000
      )
      assert.include(master, "RESOLUTION=854x480")
      assert.include(master, "RESOLUTION=640x360")
      assert.match(master, /CODECS="avc1\.4d40[0-9a-f]{2},mp4a/)
      const urls = master
        .split("\n")
        .filter((line) => line.endsWith("index.m3u8"))
        .map((line) => new URL(line, livestream.playback_url).toString())
      assert.match(urls[1]!, /\/r\/480p\/index\.m3u8$/)

      // Every variant's playlist has parts, and the same segment numbers last alike: a player switches on
      // the same segment and part.
      const listed = await waitFor(
        "four complete segments in every variant",
        async () => {
          const playlists = await Promise.all(urls.map(async (url) => (await fetch(url)).text()))
          const segments = playlists.map(
            (text) =>
              new Map(
                [...text.matchAll(/#EXTINF:([\d.]+),\s*\n(\d+)\.m4s/g)].map((match) => [
                  Number(match[2]),
                  Number(match[1])
                ])
              )
          )
          return segments.every((each) => each.size >= 4) ? { playlists, segments } : undefined
        },
        40_000
      )
      for (const playlist of listed.playlists) {
        assert.match(playlist, /#EXT-X-PART:DURATION=[\d.]+,URI="\d+\.\d+\.m4s"/)
        assert.include(playlist, "#EXT-X-PRELOAD-HINT:TYPE=PART")
      }
      const [source, ...rungs] = listed.segments
      for (const rung of rungs) {
        const shared = [...rung.keys()].filter((msn) => source!.has(msn))
        assert.isAtLeast(shared.length, 3, `${[...source!.keys()]} / ${[...rung.keys()]}`)
        for (const msn of shared) assert.approximately(rung.get(msn)!, source!.get(msn)!, 0.04, `segment ${msn}`)
      }

      // hls.js in low-latency mode sees three levels, loads parts, and switches to the lowest and the highest.
      const played = await switchLevels(players, livestream.playback_url, true)
      console.log(`LL-HLS ladder in hls.js: ${JSON.stringify(played)}`)
      assert.sameMembers(played.levels, [720, 480, 360])
      assert.deepStrictEqual(played.heightsSeen, [360, 720])
      assert.isAtLeast(played.parts, 3, "played as LL-HLS, part by part")

      // getStatus answers the ladder the packager serves.
      const { healthDescriptions } = await waitFor(
        "getStatus with renditions",
        async () => {
          const answer = await status(players.job, livestream.id)
          return answer.healthDescriptions.length === 2 ? answer : undefined
        },
        20_000
      )
      const renditions = JSON.parse(healthDescriptions[1])
      assert.deepStrictEqual(
        renditions.map((entry: { name: string; videoResolution: string }) => [entry.name, entry.videoResolution]),
        [
          ["source", "1280x720"],
          ["480p", "854x480"],
          ["360p", "640x360"]
        ]
      )
    } finally {
      await encoder.stop()
    }
  })

  it("a node without CPU budget for the ladder refuses it with its reason and serves the source alone", async () => {
    const tight = await startMainJob({ ONAIR_ABR_CPU_CORES: "0.05" })
    try {
      const livestream = await create(tight)
      const encoder = publish(rtmp(tight, livestream.stream_key), { size: "1280x720" })
      const record = await waitFor(
        "the refusal",
        async () => {
          const ingest = (await tight.api("GET", `/livestreams/${livestream.id}/ingest`)).body.data
          return ingest.renditionsRefused === null ? undefined : ingest
        },
        30_000
      )
      assert.strictEqual(record.renditionsRefused, "no cpu budget")
      const failure = await waitFor("the webhook", async () => {
        const { events } = (await tight.api("GET", "/webhooks/events?after=0&limit=1000")).body.data
        return events.find(
          (event: { type: string; data: { onair_error_type?: string } }) =>
            event.type === "hls.failure" && event.data.onair_error_type === "RENDITIONS_REFUSED"
        )
      })
      // The seed's error type, OnAir's own beside it.
      assert.strictEqual(failure.data.error_type, "INTERNAL_ERROR")
      assert.deepStrictEqual(failure.data.renditions_refused, ["480p", "360p"])
      assert.match(failure.data.error_message, /^no cpu budget: /)
      await waitFor("a playlist", async () => ((await fetch(livestream.playback_url)).ok ? true : undefined), 30_000)
      const master = await (await fetch(livestream.playback_url)).text()
      assert.strictEqual(master.split("\n").filter((line) => line.endsWith("index.m3u8")).length, 1, master)
      assert.strictEqual((await status(tight, livestream.id)).healthDescriptions.length, 1)
      await encoder.stop()
    } finally {
      await tight.stop()
    }
  })

  it("refuses an unknown rendition or a repeated one, naming the field", async () => {
    for (const renditions of [["4k"], ["480p", "480p"]]) {
      const answer = await players.job.api("POST", "/livestreams", { name: "bad ladder", renditions })
      assert.strictEqual(answer.status, 400, JSON.stringify(answer.body))
      assert.include(JSON.stringify(answer.body.errors), "renditions")
    }
    const livestream = await create(players.job)
    const patched = await players.job.api("PATCH", `/livestreams/${livestream.id}`, { renditions: [] })
    assert.strictEqual(patched.status, 200)
  })
})
