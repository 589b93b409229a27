/**
 * The restreaming benchmark (`pnpm bench:restreams`), each figure next to a baseline measured in the same
 * run, against the main job as the README runs it and a local nginx-rtmp target:
 *
 * 1. CPU of one relay (OnAir's supervised `ffmpeg -c copy`) as a share of one core, next to the same
 *    command run alone on the same input, and to a bare `ffmpeg -c copy` (RTMP in, FLV over RTMP out, no
 *    timeouts, no progress) on the same stream (goal: within 10 %); CPU from `/proc/<pid>/schedstat`,
 *    sampled for `ONAIR_BENCH_SECONDS` (default 20) on a 720p stream;
 * 2. publish -> the target receiving media (the relay reports its first bytes), next to publish -> LIVE
 *    in the API, over 3 rounds.
 */
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import { type MainJob, publish, recordFigure, sleep, startMainJob, startRtmpTarget, waitFor } from "@onair/test-support"
import { cpuSeconds } from "./Processes.ts"

const SAMPLE_SECONDS = Number(process.env["ONAIR_BENCH_SECONDS"] ?? 20)
const ROUNDS = 3

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

/** The pids of processes whose command line holds `needle`. */
const pidsWith = (needle: string) =>
  Fs.readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return Fs.readFileSync(`/proc/${name}/cmdline`, "utf8").includes(needle)
      } catch {
        return false
      }
    })
    .map(Number)

/** CPU share of a core the processes used over the sample. */
const cpuOf = async (pids: ReadonlyArray<number>) => {
  const total = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0)
  const before = total()
  await sleep(SAMPLE_SECONDS * 1000)
  return (total() - before) / SAMPLE_SECONDS
}

const livestreamWithTarget = async (job: MainJob, targetUrl: string, key: string) => {
  const livestream = (await job.api("POST", "/livestreams", { name: "bench" })).body.data
  await job.api("PATCH", `/livestreams/${livestream.id}`, { reconnect_window_seconds: 0 })
  const target = (await job.api("POST", `/livestreams/${livestream.id}/restreams`, { url: targetUrl, stream_key: key }))
    .body.data
  return { livestream, target }
}

const main = async () => {
  console.log(`# Restreaming benchmark (${Os.cpus().length} cores, ${Os.cpus()[0]?.model ?? "unknown"})`)
  const [job, target] = await Promise.all([startMainJob(), startRtmpTarget()])
  try {
    // 1. One relay's CPU against the same copy run alone.
    const { livestream, target: made } = await livestreamWithTarget(job, target.url, "relay-cpu")
    const encoder = publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/${livestream.stream_key}`, { size: "1280x720" })
    await waitFor(
      "the relay live",
      async () =>
        (await job.api("GET", `/livestreams/${livestream.id}/restreams/${made.id}`)).body.data.status === "live"
          ? true
          : undefined,
      30_000
    )
    await sleep(2000)
    const [relayPid] = pidsWith("relay-cpu")
    // The relay's own command line, run again by hand on the same input to another key of the target.
    const relayArgs = Fs.readFileSync(`/proc/${relayPid}/cmdline`, "utf8")
      .split("\0")
      .filter((arg) => arg !== "")
    const ffmpegAt = relayArgs.indexOf("ffmpeg")
    const sameArgs = relayArgs.slice(ffmpegAt + 1).map((arg) => arg.replace("relay-cpu", "baseline-same"))
    const relay = await cpuOf([relayPid!])
    const sample = async (args: ReadonlyArray<string>) => {
      const alone = spawn("ffmpeg", [...args], { stdio: "ignore" })
      await sleep(2000)
      const cpu = await cpuOf([alone.pid!])
      alone.kill("SIGKILL")
      return cpu
    }
    const same = await sample(sameArgs)
    const bare = await sample([
      "-nostdin",
      "-loglevel",
      "error",
      "-i",
      target.playUrl("relay-cpu"),
      "-map",
      "0",
      "-c",
      "copy",
      "-f",
      "flv",
      `${target.url}/baseline-copy`
    ])
    await encoder.stop()
    console.log(`\n## One relay's CPU (1280x720 30 fps H.264 + AAC, ${SAMPLE_SECONDS} s)`)
    console.log("| measure | OnAir relay | baseline | ratio (goal within 1.10) |")
    console.log("| --- | --- | --- | --- |")
    console.log(
      `| CPU, share of one core | ${(relay * 100).toFixed(2)} % | the relay's command alone ${(same * 100).toFixed(2)} % | ${(relay / same).toFixed(2)} |`
    )
    console.log(
      `| CPU, share of one core | ${(relay * 100).toFixed(2)} % | a bare \`ffmpeg -c copy\` (no timeouts, no progress) ${(bare * 100).toFixed(2)} % | ${(relay / bare).toFixed(2)} |`
    )
    recordFigure({
      bench: "restreams",
      measure: "one relay's CPU against its own ffmpeg -c copy run alone",
      value: `${(relay / same).toFixed(2)} (${(relay * 100).toFixed(2)} % vs ${(same * 100).toFixed(2)} % of a core)`,
      target: "<= 1.10",
      met: relay / same <= 1.1
    })

    // 2. Publish -> target receiving media, against publish -> LIVE.
    const toLive: Array<number> = []
    const toTarget: Array<number> = []
    for (let round = 0; round < ROUNDS; round++) {
      const { livestream: next, target: targetOfNext } = await livestreamWithTarget(job, target.url, `latency-${round}`)
      const started = performance.now()
      const publisher = publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/${next.stream_key}`)
      await waitFor(
        "LIVE",
        async () =>
          (await job.api("GET", `/livestreams/${next.id}`)).body.data.livestream.status === "LIVE" ? true : undefined,
        30_000
      )
      toLive.push(performance.now() - started)
      await waitFor(
        "the target receiving",
        async () =>
          (await job.api("GET", `/livestreams/${next.id}/restreams/${targetOfNext.id}`)).body.data.status === "live"
            ? true
            : undefined,
        30_000
      )
      toTarget.push(performance.now() - started)
      await publisher.stop()
    }
    console.log(`\n## Publish -> target receiving media (${ROUNDS} rounds, median)`)
    console.log("| measure | OnAir | baseline | ratio |")
    console.log("| --- | --- | --- | --- |")
    console.log(
      `| publish -> the target takes the stream | ${median(toTarget).toFixed(0)} ms | publish -> LIVE ${median(toLive).toFixed(0)} ms | ${(median(toTarget) / median(toLive)).toFixed(2)} |`
    )
  } finally {
    await Promise.all([job.stop(), target.stop()])
  }
}

await main()
