/// <reference lib="dom" />
/**
 * Glass-to-glass latency per `latency_mode`, as a viewer sees it, with the clock-in-frame method: ffmpeg
 * publishes over RTMP a picture whose top rows are 24 black-and-white bars spelling, in binary, the
 * millisecond of the stream each frame belongs to; headless Chromium plays `playback_url` with hls.js and,
 * for every frame it presents (`requestVideoFrameCallback`), reads the bars back off the decoded picture and
 * subtracts the wall-clock moment that millisecond was captured. Publisher and player share this machine's
 * clock. The capture moment of the stream's millisecond 0 is taken from ffmpeg's own progress reports (it
 * paces with `-re`): the earliest of report time minus media time written.
 *
 * `standard` is played by hls.js as ordinary HLS, `low` with `lowLatencyMode`, `realtime` by Chromium's own
 * WebRTC over WHEP. The ratios low/standard and realtime/standard are the figures; the goals are
 * low <= 2.5 s and realtime <= 0.8 s (medians), standard unchanged. Also: the packager's CPU as a share of
 * nginx's own (RTMP in and MPEG-TS HLS out) for the same session, and the node's CPU per WHEP viewer (the
 * main job's process, with 1 and then 6 viewers of one broadcast), from which the viewers a core serves.
 *
 * ONAIR_BENCH_SECONDS sets how long each mode is watched (default 20 s, after the player starts).
 */
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import { type MainJob, recordFigure, sleep, startMainJob } from "@onair/test-support"
import { launchChromium, playOverWhep, servePlayerPage } from "@onair/test-support/browser"
import { children, sampleCpu } from "./Processes.ts"

const require = createRequire(import.meta.url)
const HLS_JS = require.resolve("hls.js/dist/hls.min.js")
const WATCH_SECONDS = Number(process.env["ONAIR_BENCH_SECONDS"] ?? 20)
const WIDTH = 480
const BAR = WIDTH / 24

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

/** ffmpeg publishing the clock-stamped picture; `zero()` is the wall clock (epoch ms) of its millisecond 0. */
const stampedPublisher = (url: string) => {
  const bars = `255*mod(floor(floor(T*1000+0.5)/pow(2,floor(X/${BAR}))),2)`
  const child = spawn(
    "ffmpeg",
    [
      ...["-nostdin", "-loglevel", "error", "-progress", "pipe:1", "-stats_period", "0.1", "-re"],
      ...["-f", "lavfi", "-i", `color=c=gray:size=${WIDTH}x270:rate=30`],
      ...["-f", "lavfi", "-i", "sine=frequency=1000"],
      ...["-vf", `geq=lum='if(lt(Y,90),${bars},128)':cb=128:cr=128`],
      ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "60"],
      ...["-b:v", "1500k", "-c:a", "aac", "-f", "flv", url]
    ],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
  let zero = Number.POSITIVE_INFINITY
  let pending = ""
  child.stdout.on("data", (chunk: Buffer) => {
    const now = Date.now()
    pending += String(chunk)
    const lines = pending.split("\n")
    pending = lines.pop() ?? ""
    for (const line of lines) {
      const written = /^out_time_us=(\d+)$/.exec(line.trim())?.[1]
      if (written !== undefined && Number(written) > 0) zero = Math.min(zero, now - Number(written) / 1000)
    }
  })
  return {
    pid: child.pid!,
    zero: () => zero,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve())
        child.kill("SIGINT")
      })
  }
}

type Mode = "standard" | "low" | "realtime"
type Browser = Awaited<ReturnType<typeof launchChromium>>["browser"]

/**
 * Plays the livestream as `mode` asks (its `playback_url` with hls.js, or its `whep_url` over WebRTC) for
 * `seconds` after it starts, and answers each presented frame's stream ms and when it was presented.
 */
const watch = async (
  browser: Browser,
  origin: string,
  livestream: { readonly playback_url: string; readonly whep_url?: string },
  mode: Mode,
  seconds: number
) => {
  const page = await browser.newPage()
  await page.goto(`${origin}/player`)
  if (mode === "realtime") {
    const played = await playOverWhep(page, livestream.whep_url!)
    if (played.status !== 201) throw new Error(`WHEP: ${played.status} ${played.body}`)
  } else {
    await page.addScriptTag({ path: HLS_JS })
    await page.evaluate(
      async ({ url, lowLatencyMode }) => {
        const video = document.querySelector("video")!
        const hls = new (window as any).Hls({ lowLatencyMode })
        ;(window as any).hls = hls
        hls.loadSource(url)
        hls.attachMedia(video)
        await new Promise((resolve) => hls.on("hlsManifestParsed", resolve))
        await video.play().catch(() => {})
      },
      { url: livestream.playback_url, lowLatencyMode: mode === "low" }
    )
  }
  const frames = await page.evaluate(
    async ({ seconds, width, bar }) => {
      const video = document.querySelector("video")!
      const canvas = document.createElement("canvas")
      canvas.width = width
      canvas.height = 270
      const context = canvas.getContext("2d", { willReadFrequently: true })!
      const seen: Array<{ readonly stamp: number; readonly at: number }> = []
      let watching = false
      const onFrame = () => {
        if (watching) {
          context.drawImage(video, 0, 0, width, 270)
          const row = context.getImageData(0, 45, width, 1).data
          let stamp = 0
          for (let bit = 0; bit < 24; bit++) if (row[(bit * bar + bar / 2) * 4]! > 128) stamp += 2 ** bit
          seen.push({ stamp, at: Date.now() })
        }
        video.requestVideoFrameCallback(onFrame)
      }
      video.requestVideoFrameCallback(onFrame)
      const started = Date.now()
      while (video.currentTime < 2 && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 100))
      // The first seconds are the player settling on its distance from the live edge.
      await new Promise((r) => setTimeout(r, 4_000))
      watching = true
      await new Promise((r) => setTimeout(r, seconds * 1000))
      ;(window as any).hls?.destroy()
      ;(window as any).viewer?.close()
      return seen
    },
    { seconds, width: WIDTH, bar: BAR }
  )
  await page.close()
  return frames
}

/**
 * The node's CPU per WHEP viewer: the main job's own process (werift's viewers run there) sampled with one
 * viewer of the broadcast, then with six.
 */
const cpuPerWhepViewer = async (job: MainJob, browser: Browser, origin: string, whepUrl: string) => {
  const pages: Array<Awaited<ReturnType<Browser["newPage"]>>> = []
  const sample = async () => (await sampleCpu({ node: [job.pid] }, 8))["node"]!.cpuPercent
  const addViewer = async () => {
    const page = await browser.newPage()
    pages.push(page)
    await page.goto(`${origin}/player`)
    const played = await playOverWhep(page, whepUrl)
    if (played.status !== 201) throw new Error(`WHEP viewer ${pages.length}: ${played.status} ${played.body}`)
  }
  try {
    await addViewer()
    await sleep(2_000)
    const one = await sample()
    for (let count = 1; count < 6; count++) await addViewer()
    await sleep(2_000)
    const six = await sample()
    return { one, six, perViewer: Math.max(0.01, (six - one) / 5) }
  } finally {
    for (const page of pages) await page.close()
  }
}

const measure = async (job: MainJob, browser: Browser, origin: string, mode: Mode) => {
  const livestream = (await job.api("POST", "/livestreams", { name: `latency ${mode}`, latency_mode: mode })).body
    .data as { stream_key: string; playback_url: string; whep_url?: string }
  const publisher = stampedPublisher(`rtmp://127.0.0.1:${job.rtmpPort}/live/${livestream.stream_key}`)
  try {
    for (let tries = 0; tries < 150 && (await fetch(livestream.playback_url)).status !== 200; tries++) await sleep(200)
    let cpu: { packager: number; nginx: number } | undefined
    const cpuSample =
      mode === "low"
        ? (async () => {
            await sleep(6_000)
            const nginxMaster = job.nginxPid()
            // The packager is the main job's ffmpeg writing fragmented MP4.
            const packagers = children(job.pid).filter((pid) =>
              Fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("frag_keyframe")
            )
            const sample = await sampleCpu(
              { packager: packagers, nginx: [nginxMaster, ...children(nginxMaster)] },
              Math.min(10, WATCH_SECONDS)
            )
            cpu = { packager: sample["packager"]!.cpuPercent, nginx: sample["nginx"]!.cpuPercent }
          })()
        : Promise.resolve()
    const frames = await watch(browser, origin, livestream, mode, WATCH_SECONDS)
    await cpuSample
    const zero = publisher.zero()
    const latencies = frames
      .map((frame) => frame.at - (zero + frame.stamp))
      .filter((value) => value > 0 && value < 60_000)
    const whep = mode === "realtime" ? await cpuPerWhepViewer(job, browser, origin, livestream.whep_url!) : undefined
    return { latencies, frames: frames.length, cpu, whep }
  } finally {
    await publisher.stop()
  }
}

const main = async () => {
  // WebRTC's candidates on loopback, where this machine's player is.
  const job = await startMainJob({ ONAIR_WHIP_HOST_ADDRESSES: "127.0.0.1" })
  const { browser, close } = await launchChromium(["--allow-loopback-in-peer-connection"])
  const server = await servePlayerPage()
  const origin = server.origin
  try {
    console.log(
      `## Glass-to-glass latency (clock in frame, ${WATCH_SECONDS} s watched per mode; hls.js, or WHEP, in Chromium)`
    )
    console.log("| mode | frames read | median | p10 | p90 |")
    console.log("| --- | --- | --- | --- | --- |")
    const results: Record<string, number> = {}
    let cpu: { packager: number; nginx: number } | undefined
    let whep: { one: number; six: number; perViewer: number } | undefined
    for (const mode of ["standard", "low", "realtime"] as const) {
      const measured = await measure(job, browser, origin, mode)
      const m = median(measured.latencies)
      results[mode] = m
      if (measured.cpu !== undefined) cpu = measured.cpu
      if (measured.whep !== undefined) whep = measured.whep
      console.log(
        `| ${mode} | ${measured.latencies.length} of ${measured.frames} | ${(m / 1000).toFixed(2)} s | ${(percentile(measured.latencies, 10) / 1000).toFixed(2)} s | ${(percentile(measured.latencies, 90) / 1000).toFixed(2)} s |`
      )
    }
    const low = results["low"]!
    const standard = results["standard"]!
    const realtime = results["realtime"]!
    console.log(
      `\nlow / standard: ${(low / standard).toFixed(2)}; realtime / standard: ${(realtime / standard).toFixed(2)}`
    )
    recordFigure({
      bench: "latency",
      measure: "glass-to-glass latency, latency_mode low (LL-HLS, hls.js lowLatencyMode), median",
      value: `${(low / 1000).toFixed(2)} s (standard ${(standard / 1000).toFixed(2)} s; ratio ${(low / standard).toFixed(2)})`,
      target: "<= 2.5 s",
      met: low > 0 && low <= 2500
    })
    recordFigure({
      bench: "latency",
      measure: "glass-to-glass latency, latency_mode realtime (WHEP, Chromium's WebRTC), median",
      value: `${(realtime / 1000).toFixed(2)} s (standard ${(standard / 1000).toFixed(2)} s; ratio ${(realtime / standard).toFixed(2)})`,
      target: "<= 0.8 s",
      met: realtime > 0 && realtime <= 800
    })
    if (whep !== undefined) {
      console.log(
        `node CPU with 1 WHEP viewer ${whep.one.toFixed(1)} %, with 6 ${whep.six.toFixed(1)} %: ${whep.perViewer.toFixed(2)} % of a core per viewer, about ${Math.floor(100 / whep.perViewer)} viewers per core (the default cap, ONAIR_WHEP_MAX_VIEWERS, is 100 per node)`
      )
    }
    if (cpu !== undefined) {
      console.log(
        `packager CPU ${cpu.packager.toFixed(1)} % of a core; nginx (RTMP in, HLS out) ${cpu.nginx.toFixed(1)} %; packager / nginx ${(cpu.packager / Math.max(cpu.nginx, 0.1)).toFixed(2)}`
      )
    }
  } finally {
    server.close()
    await close()
    await job.stop()
  }
}

await main()
