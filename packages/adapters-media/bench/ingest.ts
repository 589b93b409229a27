/**
 * The media benchmark's issue-19 figures, against the main job:
 *
 * - `renditions`: the CPU each rendition takes, as a share of one core, against the publisher's own
 *   encoder (libx264 veryfast at 1280x720 30 fps of `testsrc2`, whose motion costs more than `testsrc`'s
 *   still pattern, the baseline) in the same run, next to the estimate the node's budget uses
 *   (`RenditionLadders.cost`);
 * - `protocols`: publish -> first playable segment through `playback_url` for WHIP (Chromium with a fake
 *   camera) and SRT (an ffmpeg caller), next to RTMP (ffmpeg) in the same run.
 */
import * as Fs from "node:fs"
import { type MainJob, publish, recordFigure, sleep } from "@onair/test-support"
import { FAKE_MEDIA_FLAGS, launchChromium, publishOverWhip } from "@onair/test-support/browser"
import * as RenditionLadders from "../src/node/RenditionLadders.ts"
import { cpuSeconds } from "./Processes.ts"

const SOURCE = { width: 1280, height: 720, fps: 30 }

/** The pid of the process whose command line holds every one of `parts`. */
const processWith = (...parts: ReadonlyArray<string>): number | undefined =>
  Fs.readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .find((pid) => {
      const path = `/proc/${pid}/cmdline`
      const text = Fs.existsSync(path) ? Fs.readFileSync(path, "utf8").replaceAll("\0", " ") : ""
      return text.startsWith("ffmpeg") && parts.every((part) => text.includes(part))
    })

const waitFor = async <A>(probe: () => Promise<A | undefined>, timeoutMs = 40_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    await sleep(100)
  }
  throw new Error("timed out")
}

/** Share of one core `pid` used over `seconds`, all its threads (x264 encodes on threads of its own). */
const share = async (pid: number, seconds: number) => {
  const before = cpuSeconds(pid)
  await sleep(seconds * 1000)
  return (cpuSeconds(pid) - before) / seconds
}

export const renditions = async (job: MainJob, seconds: number) => {
  console.log(`\n## CPU per rendition (source ${SOURCE.width}x${SOURCE.height} at ${SOURCE.fps} fps; libx264 veryfast)`)
  console.log(
    "| ladder | its ffmpeg, share of a core | the estimate the budget uses | the encoder (baseline) | ladder / encoder |"
  )
  console.log("| --- | --- | --- | --- | --- |")
  for (const ladder of [["480p"], ["360p"], ["240p"], ["720p", "480p", "360p"]] as const) {
    const created = (await job.api("POST", "/livestreams", { name: "bench ladder", renditions: ladder })).body.data
    const encoder = publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/${created.stream_key}`, {
      size: `${SOURCE.width}x${SOURCE.height}`,
      pattern: "testsrc2"
    })
    const sessionId = await waitFor(
      async () => (await job.api("GET", `/livestreams/${created.id}`)).body.data.session?.id as string | undefined
    )
    const worker = await waitFor(async () => processWith("-var_stream_map", sessionId))
    // Past its start-up: the first seconds decode and buffer.
    await sleep(4000)
    const [ladderShare, encoderShare] = await Promise.all([share(worker, seconds), share(encoder.pid, seconds)])
    const plan = RenditionLadders.plan(ladder, SOURCE)!
    const estimate = RenditionLadders.cost(plan, SOURCE)
    const names = RenditionLadders.variantNames(plan).join(", ")
    console.log(
      `| ${ladder.join(", ")} (variants: ${names}) | ${(ladderShare * 100).toFixed(1)} % | ${(estimate * 100).toFixed(1)} % | ` +
        `${(encoderShare * 100).toFixed(1)} % | ${(ladderShare / encoderShare).toFixed(2)} |`
    )
    recordFigure({
      bench: "media",
      measure: `CPU of the ladder ${ladder.join(", ")} (share of one core)`,
      value: `${(ladderShare * 100).toFixed(1)} % (estimate ${(estimate * 100).toFixed(1)} %, encoder ${(encoderShare * 100).toFixed(1)} %)`,
      target: "measured",
      met: true
    })
    await encoder.stop()
  }
}

/** Time from `start` until the playback URL's first segment can be fetched. */
const firstPlayable = async (playbackUrl: string, start: number) => {
  await waitFor(async () => {
    const master = await fetch(playbackUrl)
    if (!master.ok) return undefined
    const variant = new URL((await master.text()).split("\n").find((line) => line.endsWith(".m3u8"))!, playbackUrl)
    const media = await fetch(variant)
    const segment = media.ok ? (await media.text()).split("\n").find((line) => line.endsWith(".ts")) : undefined
    return segment !== undefined && (await fetch(new URL(segment, variant))).ok ? true : undefined
  })
  return performance.now() - start
}

export const protocols = async (job: MainJob, rounds: number) => {
  const { browser, close } = await launchChromium(FAKE_MEDIA_FLAGS)
  const rows = { rtmp: [] as Array<number>, whip: [] as Array<number>, srt: [] as Array<number> }
  try {
    for (let round = 0; round < rounds; round++) {
      const rtmp = (await job.api("POST", "/livestreams", { name: "bench rtmp" })).body.data
      const start = performance.now()
      const encoder = publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/${rtmp.stream_key}`)
      rows.rtmp.push(await firstPlayable(rtmp.playback_url, start))
      await encoder.stop()

      const whip = (await job.api("POST", "/livestreams", { name: "bench whip" })).body.data
      const page = await browser.newPage()
      await page.goto(`${job.url}/healthz`)
      const whipStart = performance.now()
      const published = await publishOverWhip(page, `${job.url}/whip/${whip.stream_key}`)
      if (published.status !== 201) throw new Error(`WHIP publish answered ${published.status}: ${published.body}`)
      rows.whip.push(await firstPlayable(whip.playback_url, whipStart))
      await page.close()

      const srt = (await job.api("POST", "/livestreams", { name: "bench srt" })).body.data
      const { port } = (await job.api("PUT", `/livestreams/${srt.id}/srt`)).body.data
      // The node's listener comes up within its next round.
      await sleep(2_000)
      const srtStart = performance.now()
      const caller = publish(`srt://127.0.0.1:${port}?passphrase=${srt.stream_key}&pbkeylen=16`)
      rows.srt.push(await firstPlayable(srt.playback_url, srtStart))
      await caller.stop()
      await job.api("DELETE", `/livestreams/${srt.id}`)
    }
  } finally {
    await close()
  }
  const median = (values: ReadonlyArray<number>) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
  console.log(`\n## Publish -> first playable segment by protocol (${rounds} rounds, 2 s fragments)`)
  console.log("| protocol | median | worst | against RTMP |")
  console.log("| --- | --- | --- | --- |")
  for (const [name, values] of [
    ["RTMP (ffmpeg, baseline)", rows.rtmp],
    ["WHIP (Chromium)", rows.whip],
    ["SRT (ffmpeg caller)", rows.srt]
  ] as const) {
    console.log(
      `| ${name} | ${median(values).toFixed(0)} ms | ${Math.max(...values).toFixed(0)} ms | ${(median(values) / median(rows.rtmp)).toFixed(2)} |`
    )
  }
  recordFigure({
    bench: "media",
    measure: "SRT publish -> first playable segment",
    value: `${median(rows.srt).toFixed(0)} ms (RTMP ${median(rows.rtmp).toFixed(0)} ms)`,
    target: "measured against RTMP",
    met: true
  })
  recordFigure({
    bench: "media",
    measure: "WHIP publish -> first playable segment",
    value: `${median(rows.whip).toFixed(0)} ms (RTMP ${median(rows.rtmp).toFixed(0)} ms)`,
    target: "measured against RTMP",
    met: true
  })
}
