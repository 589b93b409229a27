/**
 * The meeting composer (issue 32): how long a start takes and what a composer costs.
 *
 * - `start_delay`: five meetings started one after another against the main job, each composing a page
 *   served here (a moving picture and a tone, 1280x720); per start, the time from the API's start to the
 *   livestream LIVE (polled every 50 ms) and the seed's `start_delay` of its `beam.started.success`.
 * - CPU: a running composer's processes (Xvfb, PulseAudio, Chromium's, its ffmpeg) sampled for 10 s, against
 *   the same run's baseline: ffmpeg encoding 1280x720 at 30 fps from a test source with the same x264
 *   options, in real time. The ratio is the figure; from it, how many composers a node's default budget
 *   (half its cores) holds.
 */
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Os from "node:os"
import { recordFigure, sleep, startMainJob } from "@onair/test-support"
import { sampleCpu } from "./Processes.ts"

const PAGE = `<!doctype html><html><head><style>html,body{margin:0;height:100%;overflow:hidden;background:#123}</style></head>
<body><canvas id="c"></canvas><script>
const canvas = document.getElementById("c"); canvas.width = innerWidth; canvas.height = innerHeight
const context = canvas.getContext("2d"); let frame = 0
const draw = () => { frame++; context.fillStyle = "hsl(" + (frame % 360) + ",60%,40%)"; context.fillRect(0, 0, canvas.width, canvas.height)
  context.fillStyle = "#fff"; context.font = "64px sans-serif"; context.fillText("frame " + frame, 80 + (frame * 4) % 600, 360); requestAnimationFrame(draw) }
draw()
const audio = new AudioContext(); const tone = audio.createOscillator(); tone.frequency.value = 440; tone.connect(audio.destination); tone.start()
</script></body></html>`

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

/** Every process below `pid`, with its command line. */
const descendants = (pid: number): Array<{ readonly pid: number; readonly cmdline: string }> => {
  const parents = new Map<number, Array<number>>()
  for (const name of Fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = Fs.readFileSync(`/proc/${name}/stat`, "utf8")
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      parents.set(parent, [...(parents.get(parent) ?? []), Number(name)])
    } catch {}
  }
  const found: Array<{ pid: number; cmdline: string }> = []
  const visit = (at: number) => {
    for (const child of parents.get(at) ?? []) {
      let cmdline = ""
      try {
        cmdline = Fs.readFileSync(`/proc/${child}/cmdline`, "utf8").replaceAll("\0", " ")
      } catch {}
      found.push({ pid: child, cmdline })
      visit(child)
    }
  }
  visit(pid)
  return found
}

const main = async () => {
  const pages = Http.createServer((_, response) => {
    response.writeHead(200, { "content-type": "text/html" })
    response.end(PAGE)
  })
  await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve))
  const pageUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/rooms/bench`
  const job = await startMainJob({ ONAIR_OUTBOUND_ALLOWLIST: "127.0.0.1/32", ONAIR_COMPOSER: "on" })
  try {
    const toLive: Array<number> = []
    const delays: Array<number> = []
    let cpu: number | undefined
    for (let start = 0; start < 5; start++) {
      const meeting = (await job.api("POST", "/meetings", { title: `bench ${start}` })).body.data.id as string
      const asked = performance.now()
      const started = await job.api("POST", `/meetings/${meeting}/livestreams`, { meeting_url: pageUrl })
      if (started.status !== 201) throw new Error(`start: ${JSON.stringify(started.body)}`)
      const id = started.body.data.id as string
      for (;;) {
        if ((await job.api("GET", `/livestreams/${id}`)).body.data.livestream.status === "LIVE") break
        if (performance.now() - asked > 60_000) throw new Error("not LIVE within 60 s")
        await sleep(50)
      }
      toLive.push(performance.now() - asked)
      for (;;) {
        const { events } = (await job.api("GET", "/webhooks/events?after=0&limit=1000")).body.data
        const beam = events.find(
          (event: { type: string; data: { beam_id?: string } }) =>
            event.type === "beam.started.success" && event.data.beam_id === id
        )
        if (beam !== undefined) {
          delays.push(beam.data.start_delay)
          break
        }
        await sleep(100)
      }
      if (start === 0) {
        await sleep(3_000)
        const composer = descendants(job.pid)
          .filter(({ cmdline }) => /Xvfb|pulseaudio|chrom|x11grab/.test(cmdline))
          .map(({ pid }) => pid)
        cpu = (await sampleCpu({ composer }, 10))["composer"]!.cpuPercent
      }
      await job.api("POST", `/meetings/${meeting}/active-livestream/stop`)
      await sleep(1_500)
    }

    // The baseline: ffmpeg alone encoding the same picture size with the composer's options, in real time.
    const encoder = spawn(
      "ffmpeg",
      [
        ...["-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30"],
        ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "60"],
        ...["-b:v", "2500k", "-t", "20", "-f", "null", "-"]
      ],
      { stdio: "ignore" }
    )
    await sleep(3_000)
    const baseline = (await sampleCpu({ encoder: [encoder.pid!] }, 10))["encoder"]!.cpuPercent
    encoder.kill("SIGKILL")

    const composerCpu = cpu ?? 0
    const ratio = composerCpu / Math.max(baseline, 0.1)
    const cores = Os.availableParallelism()
    const perNode = Math.floor((cores * 0.5 * 100) / Math.max(composerCpu, 1))
    console.log("## Meeting composer (1280x720, 30 fps)")
    console.log(
      `start to LIVE: ${toLive.map((ms) => (ms / 1000).toFixed(2)).join(", ")} s (p50 ${(median(toLive) / 1000).toFixed(2)} s); start_delay ${delays.join(", ")} s (p50 ${median(delays)} s)`
    )
    console.log(
      `composer CPU ${composerCpu.toFixed(1)} % of a core; ffmpeg encoding the same size alone ${baseline.toFixed(1)} %; composer / encoder ${ratio.toFixed(2)}`
    )
    console.log(
      `a ${cores}-core node's default composer budget (half its cores) holds ${perNode} composer(s) at this cost (the node's estimate per composer: 75 % of a core)`
    )
    recordFigure({
      bench: "composer",
      measure: "composer start to first frame out (start_delay), p50 of 5",
      value: `${median(delays)} s (to LIVE ${(median(toLive) / 1000).toFixed(2)} s)`,
      target: "<= 5 s",
      met: median(delays) <= 5
    })
  } finally {
    await job.stop()
    pages.close()
  }
}

await main()
