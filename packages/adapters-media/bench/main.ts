/**
 * The media plane's benchmark, against the main job as the README runs it (a child process with nginx),
 * each figure next to a baseline measured in the same run:
 *
 * 1. publish -> LIVE in the API, publish -> the stream's resolution and codecs in the ingest record
 *    (against the bare nginx's /stat having the encoder's metadata; target: within 1 s), and publish ->
 *    first playable segment through `playback_url`, against a bare nginx-rtmp writing HLS with no control
 *    plane (target: first segment within 2 x fragment + 1 s);
 * 2. encoder stop -> session stopped (window 0), against the same bare nginx dropping the stream from /stat;
 * 3. CPU and memory of nginx and OnAir with 1 and 4 real streams, as a share of the encoders' own CPU;
 * 4. 1,000 simulated publishers driving nginx's callbacks without media (publish, updates, publish_done):
 *    callback p50/p99 against a bare node:http server answering the same requests (target: p99 < 20 ms);
 * 5. CPU per rendition against the publisher's encoder, and publish -> first playable segment over WHIP
 *    against RTMP (`ingest.ts`).
 *
 * ONAIR_BENCH_ONLY=latency|resources|callbacks|renditions|protocols runs one.
 *
 * ONAIR_BENCH_SECONDS sets each CPU sample's length (default 10).
 */
import * as Fs from "node:fs"
import { createServer } from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import * as NginxConfig from "../src/node/NginxConfig.ts"
import { freePort, type MainJob, publish, recordFigure, sleep, startMainJob } from "@onair/test-support"
import { bareNginx } from "./BareNginx.ts"
import { protocols, renditions } from "./ingest.ts"
import { children, sampleCpu } from "./Processes.ts"

const SAMPLE_SECONDS = Number(process.env["ONAIR_BENCH_SECONDS"] ?? 10)
const ROUNDS = 3
const FRAGMENT_SECONDS = 2
const PUBLISHERS = 1000

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`

/** Polls until `probe` is true; the time it took. */
const until = async (probe: () => Promise<boolean>, timeoutMs = 30_000, every = 20): Promise<number> => {
  const start = performance.now()
  while (performance.now() - start < timeoutMs) {
    if (await probe().catch(() => false)) return performance.now() - start
    await sleep(every)
  }
  throw new Error("timed out")
}

/** A playlist with at least one segment that can be fetched, through OnAir's playback URL. */
const playable = async (playbackUrl: string): Promise<boolean> => {
  const master = await fetch(playbackUrl)
  if (!master.ok) return false
  const variant = new URL((await master.text()).split("\n").find((line) => line.endsWith(".m3u8"))!, playbackUrl)
  const media = await fetch(variant)
  if (!media.ok) return false
  const segment = (await media.text()).split("\n").find((line) => line.endsWith(".ts"))
  return segment !== undefined && (await fetch(new URL(segment, variant))).ok
}

const latencies = async (job: MainJob) => {
  const bare = await bareNginx(FRAGMENT_SECONDS)
  const rows = {
    live: [] as Array<number>,
    health: [] as Array<number>,
    segment: [] as Array<number>,
    stop: [] as Array<number>,
    bareMetadata: [] as Array<number>,
    bareSegment: [] as Array<number>,
    bareStop: [] as Array<number>
  }
  for (let round = 0; round < ROUNDS; round++) {
    const livestream = (await job.api("POST", "/livestreams", { name: `bench ${round}` })).body.data
    await job.api("PATCH", `/livestreams/${livestream.id}`, { reconnect_window_seconds: 0 })
    const started = performance.now()
    const encoder = publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/${livestream.stream_key}`)
    await until(
      async () => (await job.api("GET", `/livestreams/${livestream.id}`)).body.data.livestream.status === "LIVE"
    )
    rows.live.push(performance.now() - started)
    await until(
      async () => (await job.api("GET", `/livestreams/${livestream.id}/ingest`)).body.data.width > 0,
      30_000,
      20
    )
    rows.health.push(performance.now() - started)
    await until(() => playable(livestream.playback_url), 30_000, 50)
    rows.segment.push(performance.now() - started)
    const stopped = performance.now()
    await encoder.stop()
    await until(async () => (await job.api("GET", `/livestreams/${livestream.id}/ingest`)).body.data.endTime !== null)
    rows.stop.push(performance.now() - stopped)

    const name = `bare${round}`
    const bareStart = performance.now()
    const bareEncoder = publish(`rtmp://127.0.0.1:${bare.settings.rtmpPort}/live/${name}`)
    const hls = Path.join(NginxConfig.paths(bare.settings.dir).hls, name, "index.m3u8")
    const metadata = new RegExp(`<name>${name}</name>[\\s\\S]*?<width>[1-9]`)
    await until(
      async () => metadata.test(await (await fetch(`${NginxConfig.controlUrl(bare.settings)}/stat`)).text()),
      30_000,
      20
    )
    rows.bareMetadata.push(performance.now() - bareStart)
    await until(async () => Fs.existsSync(hls) && Fs.readFileSync(hls, "utf8").includes(".ts"), 30_000, 50)
    rows.bareSegment.push(performance.now() - bareStart)
    const bareStopped = performance.now()
    await bareEncoder.stop()
    await until(
      async () =>
        !(await (await fetch(`${NginxConfig.controlUrl(bare.settings)}/stat`)).text()).includes(`<name>${name}</name>`)
    )
    rows.bareStop.push(performance.now() - bareStopped)
  }
  await bare.stop()
  const target = (2 * FRAGMENT_SECONDS + 1) * 1000
  console.log(`\n## Latency (${ROUNDS} rounds, median / worst; HLS fragment ${FRAGMENT_SECONDS} s)`)
  console.log("| measure | OnAir | baseline | ratio |")
  console.log("| --- | --- | --- | --- |")
  console.log(
    `| publish -> LIVE in the API | ${ms(median(rows.live))} / ${ms(Math.max(...rows.live))} | first segment ${ms(median(rows.segment))} | ${(median(rows.live) / median(rows.segment)).toFixed(2)} of the first segment |`
  )
  console.log(
    `| publish -> resolution and codecs in the ingest record | ${ms(median(rows.health))} / ${ms(Math.max(...rows.health))} | bare nginx has the metadata ${ms(median(rows.bareMetadata))} | ${(median(rows.health) / median(rows.bareMetadata)).toFixed(2)} (target 1000 ms: ${(Math.max(...rows.health) / 1000).toFixed(2)} of it at worst) |`
  )
  console.log(
    `| publish -> first playable segment | ${ms(median(rows.segment))} / ${ms(Math.max(...rows.segment))} | bare nginx ${ms(median(rows.bareSegment))} | ${(median(rows.segment) / median(rows.bareSegment)).toFixed(2)} (target ${ms(target)}: ${(Math.max(...rows.segment) / target).toFixed(2)} of it at worst) |`
  )
  console.log(
    `| encoder stop -> session stopped (window 0) | ${ms(median(rows.stop))} / ${ms(Math.max(...rows.stop))} | bare nginx drops the stream ${ms(median(rows.bareStop))} | ${(median(rows.stop) / median(rows.bareStop)).toFixed(2)} |`
  )
  const worstHealth = Math.max(...rows.health)
  recordFigure({
    bench: "media",
    measure: "publish -> resolution and codecs in the ingest record, worst of the rounds",
    value: `${ms(worstHealth)} (bare nginx has the metadata ${ms(median(rows.bareMetadata))})`,
    target: "<= 1000 ms",
    met: worstHealth <= 1000
  })
  const worstSegment = Math.max(...rows.segment)
  recordFigure({
    bench: "media",
    measure: "publish -> first playable segment, worst of the rounds",
    value: `${ms(worstSegment)} (bare nginx ${ms(median(rows.bareSegment))})`,
    target: `<= ${ms(target)}`,
    met: worstSegment <= target
  })
}

const resources = async (job: MainJob, onairPid: number) => {
  console.log(`\n## CPU and memory (${SAMPLE_SECONDS} s per sample, 640x360 30 fps H.264 + AAC test streams)`)
  console.log(
    "| streams | OnAir CPU | OnAir RSS | nginx CPU | nginx RSS | encoders' CPU | (OnAir + nginx) / encoders |"
  )
  console.log("| --- | --- | --- | --- | --- | --- | --- |")
  for (const count of [1, 4]) {
    const encoders: Array<ReturnType<typeof publish>> = []
    for (let i = 0; i < count; i++) {
      const livestream = (await job.api("POST", "/livestreams", { name: `load ${count}.${i}` })).body.data
      encoders.push(publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/${livestream.stream_key}`))
    }
    const pids = encoders.map((encoder) => encoder.pid)
    await sleep(4000)
    const nginxMaster = job.nginxPid()
    const sample = await sampleCpu(
      { onair: [onairPid], nginx: [nginxMaster, ...children(nginxMaster)], encoders: pids },
      SAMPLE_SECONDS
    )
    const plane = sample["onair"]!.cpuPercent + sample["nginx"]!.cpuPercent
    console.log(
      `| ${count} | ${sample["onair"]!.cpuPercent.toFixed(1)} % | ${sample["onair"]!.rssMb.toFixed(0)} MB | ${sample["nginx"]!.cpuPercent.toFixed(1)} % | ${sample["nginx"]!.rssMb.toFixed(0)} MB | ${sample["encoders"]!.cpuPercent.toFixed(1)} % | ${(plane / sample["encoders"]!.cpuPercent).toFixed(3)} |`
    )
    for (const encoder of encoders) await encoder.stop()
    await Promise.all(encoders.map((encoder) => encoder.exited))
  }
}

/** nginx's callback base for the running nginx, read from the config OnAir wrote. */
const callbackBase = (job: MainJob) => {
  const config = Fs.readFileSync(NginxConfig.paths(job.mediaDir).config, "utf8")
  return /on_publish (\S+)\/publish;/.exec(config)![1]!
}

/**
 * `PUBLISHERS` publishers, each: publish, three updates 5 s apart, publish_done, started evenly over
 * 10 s: about 100 publishes and 200 updates per second at the peak. The latency of each callback.
 */
const drive = async (base: string, keys: ReadonlyArray<string>) => {
  const timings = { publish: [] as Array<number>, update: [] as Array<number>, done: [] as Array<number>, refused: 0 }
  const post = async (call: string, form: Record<string, string>) => {
    const start = performance.now()
    const response = await fetch(`${base}/${call}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
      redirect: "manual"
    })
    await response.arrayBuffer()
    return { latency: performance.now() - start, status: response.status }
  }
  await Promise.all(
    keys.map(async (key, i) => {
      await sleep((i * 10_000) / keys.length)
      const form = {
        app: "live",
        flashver: "FMLE/3.0",
        tcurl: "rtmp://127.0.0.1/live",
        addr: "127.0.0.1",
        clientid: String(900_000 + i),
        type: "live",
        name: key
      }
      const published = await post("publish", { ...form, call: "publish" })
      timings.publish.push(published.latency)
      if (published.status >= 400) timings.refused++
      for (let update = 1; update <= 3; update++) {
        await sleep(5000)
        timings.update.push(
          (await post("update", { ...form, call: "update_publish", time: String(update * 5) })).latency
        )
      }
      timings.done.push((await post("publish-done", { ...form, call: "publish_done" })).latency)
    })
  )
  return timings
}

const callbacks = async (job: MainJob) => {
  const keys: Array<string> = []
  for (let i = 0; i < PUBLISHERS; i++) {
    keys.push((await job.api("POST", "/livestreams", { name: `simulated ${i}` })).body.data.stream_key)
  }
  const onair = await drive(callbackBase(job), keys)

  const bare = createServer((request, response) => {
    request.resume()
    request.on("end", () =>
      response.writeHead(request.url?.endsWith("/publish") ? 302 : 200, { location: "session" }).end()
    )
  })
  const port = await freePort()
  await new Promise<void>((resolve) => bare.listen(port, "127.0.0.1", resolve))
  const baseline = await drive(`http://127.0.0.1:${port}/media`, keys)
  bare.close()

  console.log(`\n## Callbacks of ${PUBLISHERS} simulated publishers (no media; publish, 3 updates, publish_done each)`)
  console.log("| callback | count | OnAir p50 / p99 | bare node:http p50 / p99 | p99 ratio |")
  console.log("| --- | --- | --- | --- | --- |")
  for (const call of ["publish", "update", "done"] as const) {
    const a = onair[call]
    const b = baseline[call]
    console.log(
      `| ${call} | ${a.length} | ${ms(percentile(a, 50))} / ${ms(percentile(a, 99))} | ${ms(percentile(b, 50))} / ${ms(percentile(b, 99))} | ${(percentile(a, 99) / percentile(b, 99)).toFixed(2)} |`
    )
  }
  const all = [...onair.publish, ...onair.update, ...onair.done]
  console.log(
    `all callbacks: p50 ${ms(percentile(all, 50))}, p99 ${ms(percentile(all, 99))} (target < 20 ms: ${(percentile(all, 99) / 20).toFixed(2)} of it); refused publishes: ${onair.refused}`
  )
  recordFigure({
    bench: "media",
    measure: "media-server callbacks p99",
    value: ms(percentile(all, 99)),
    target: "< 20 ms",
    met: percentile(all, 99) < 20 && onair.refused === 0
  })
}

const only = process.env["ONAIR_BENCH_ONLY"]

const main = async () => {
  console.log(`# Media plane benchmark (${Os.cpus().length} cores, ${Os.cpus()[0]?.model ?? "cpu"})`)
  const job = await startMainJob({
    ONAIR_HLS_FRAGMENT_SECONDS: String(FRAGMENT_SECONDS),
    DATABASE_URL: process.env["ONAIR_BENCH_MEDIA_DATABASE_URL"] ?? "",
    ONAIR_SRT: "on",
    ONAIR_SRT_PORTS: "31000-31009"
  })
  try {
    if (only === undefined || only === "latency") await latencies(job)
    if (only === undefined || only === "resources") await resources(job, job.pid)
    if (only === undefined || only === "callbacks") await callbacks(job)
    if (only === undefined || only === "renditions") await renditions(job, SAMPLE_SECONDS)
    if (only === undefined || only === "protocols") await protocols(job, ROUNDS)
  } finally {
    await job.stop()
  }
}

await main()
