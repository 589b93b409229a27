/**
 * The recordings benchmark (`pnpm bench:recordings`), each figure next to a baseline measured in the same
 * run:
 *
 * 1. finalising a recording against its duration (issue 14's goal: a 10-minute recording in well under 2 %
 *    of it, which only remuxing can do), next to a plain `ffmpeg -c copy` of the same parts to MP4;
 * 2. the extra CPU of recording during a broadcast: nginx writing the parts (the same nginx with and
 *    without its `record` lines, one real 640x360 stream for `ONAIR_BENCH_SECONDS`, default 10) and
 *    finalising them, as a share of the encoder's own CPU for the same media;
 * 3. upload throughput to an S3-compatible server (s3rver) with OnAir's upload (one PUT up to 64 MiB,
 *    multipart in 16 MiB parts, 4 at once, above) against a plain AWS SDK `PutObject` of the same file: the
 *    finished MP4, and a 256 MB file (a long recording's size, where OnAir goes multipart).
 *
 * The recording is `ONAIR_BENCH_RECORDING_MINUTES` (default 10) of 640x360 30 fps H.264 + AAC in two parts
 * (a reconnect), made first with ffmpeg (not timed).
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { Context, Effect, Exit, Layer, Redacted, Scope } from "effect"
import S3rver from "s3rver"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { finalise } from "../src/node/RecordingFinaliser.ts"
import { RecordingStore } from "../src/node/RecordingStore.ts"
import { freePort, publish, recordFigure, sleep } from "@onair/test-support"
import { bareNginx } from "./BareNginx.ts"
import { children, usage } from "./Processes.ts"

const exec = promisify(execFile)
const MINUTES = Number(process.env["ONAIR_BENCH_RECORDING_MINUTES"] ?? 10)
const SAMPLE_SECONDS = Number(process.env["ONAIR_BENCH_SECONDS"] ?? 10)

/** CPU seconds this process's finished children used (`/proc/self/stat` cutime + cstime). */
const childCpu = () => {
  const stat = Fs.readFileSync("/proc/self/stat", "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[13]) + Number(fields[14])) / 100
}

/** nginx's and the encoder's CPU seconds over one broadcast of SAMPLE_SECONDS to a bare nginx. */
const broadcastCpu = async (recording: boolean) => {
  const nginx = await bareNginx(2, { recording })
  try {
    const encoder = publish(`rtmp://127.0.0.1:${nginx.settings.rtmpPort}/live/bench`)
    await sleep(3000)
    const pids = [nginx.pid(), ...children(nginx.pid())]
    const encoderPid = encoder.pid
    const cpu = (list: ReadonlyArray<number>) => list.reduce((sum, pid) => sum + usage(pid).cpu, 0)
    const before = { nginx: cpu(pids), encoder: cpu([encoderPid]) }
    await sleep(SAMPLE_SECONDS * 1000)
    const after = { nginx: cpu(pids), encoder: cpu([encoderPid]) }
    await encoder.stop()
    const parts = Fs.readdirSync(Path.join(nginx.settings.dir, "recordings", "parts")).length
    return { nginx: after.nginx - before.nginx, encoder: after.encoder - before.encoder, parts }
  } finally {
    await nginx.stop()
  }
}

const UPLOAD_ROUNDS = 3
const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

const pct = (value: number) => `${(value * 100).toFixed(1)} %`

const part = async (dir: string, name: string, seconds: number) => {
  const file = Path.join(dir, name)
  await exec(
    "ffmpeg",
    [
      "-nostdin",
      "-v",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=640x360:rate=30",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=1000",
      "-t",
      String(seconds),
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv420p",
      "-g",
      "60",
      "-c:a",
      "aac",
      "-f",
      "flv",
      file
    ],
    { maxBuffer: 1024 * 1024 }
  )
  return file
}

const timed = async <A>(run: () => Promise<A>) => {
  const start = performance.now()
  const value = await run()
  return { value, seconds: (performance.now() - start) / 1000 }
}

const main = async () => {
  console.log(`# Recordings benchmark (${Os.cpus().length} cores, ${Os.cpus()[0]?.model ?? "unknown"})`)
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-bench-recording-"))
  try {
    const total = MINUTES * 60
    const parts = [
      await part(dir, "a-1.flv", Math.round(total * 0.4)),
      await part(dir, "a-2.flv", total - Math.round(total * 0.4))
    ]
    const onair = await timed(() => Effect.runPromise(finalise(parts, Path.join(dir, "out"))))
    const list = Path.join(dir, "list.txt")
    Fs.writeFileSync(list, parts.map((file) => `file '${file}'\n`).join(""))
    const plain = await timed(() =>
      exec("ffmpeg", [
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        list,
        "-c",
        "copy",
        Path.join(dir, "plain.mp4")
      ])
    )
    const duration = onair.value.durationSeconds
    console.log(`\n## Finalising a ${MINUTES}-minute recording (2 parts, ${(onair.value.size / 1e6).toFixed(1)} MB)`)
    console.log("| measure | OnAir | baseline | ratio |")
    console.log("| --- | --- | --- | --- |")
    console.log(
      `| finalise (MP4 +faststart, HLS VOD, poster, probe, SHA-256) | ${onair.seconds.toFixed(2)} s | ` +
        `plain ffmpeg -c copy to MP4 ${plain.seconds.toFixed(2)} s | ${(onair.seconds / plain.seconds).toFixed(2)} |`
    )
    console.log(
      `| finalise time / recording duration | ${((onair.seconds / duration) * 100).toFixed(2)} % | goal 2 % | ` +
        `${(onair.seconds / duration / 0.02).toFixed(2)} of the goal |`
    )
    recordFigure({
      bench: "recordings",
      measure: `finalising a ${MINUTES}-minute recording, share of its duration`,
      value: `${((onair.seconds / duration) * 100).toFixed(2)} % (${onair.seconds.toFixed(2)} s; plain ffmpeg -c copy ${plain.seconds.toFixed(2)} s)`,
      target: "< 2 %",
      met: onair.seconds / duration < 0.02
    })

    // 2. Recording's CPU during a broadcast, and finalising's, against the encoder's.
    const off = await broadcastCpu(false)
    const on = await broadcastCpu(true)
    const encoderPerSecond = (on.encoder + off.encoder) / (2 * SAMPLE_SECONDS)
    const writing = (on.nginx - off.nginx) / SAMPLE_SECONDS
    const cpuBefore = childCpu()
    await Effect.runPromise(finalise(parts, Path.join(dir, "again")))
    const finaliseCpuPerMediaSecond = (childCpu() - cpuBefore) / duration
    console.log(
      `\n## Recording's CPU against the encoder's (one 640x360 stream, ${SAMPLE_SECONDS} s; nginx wrote ${on.parts} part(s))`
    )
    console.log("| measure | recording | encoder (libx264, the same media) | share of the encoder |")
    console.log("| --- | --- | --- | --- |")
    console.log(
      `| nginx writing the parts (with - without \`record\`) | ${pct(writing)} of a core | ${pct(encoderPerSecond)} of a core | ${pct(writing / encoderPerSecond)} |`
    )
    console.log(
      `| finalising, per second of media | ${(finaliseCpuPerMediaSecond * 1000).toFixed(1)} ms CPU | ${(encoderPerSecond * 1000).toFixed(0)} ms CPU | ${pct(finaliseCpuPerMediaSecond / encoderPerSecond)} |`
    )
    console.log(`| both | | | ${pct((writing + finaliseCpuPerMediaSecond) / encoderPerSecond)} |`)

    // 3. Upload throughput to an S3-compatible server.
    const port = await freePort()
    const bucketDir = Path.join(dir, "s3")
    Fs.mkdirSync(bucketDir)
    const server = new S3rver({
      port,
      address: "127.0.0.1",
      silent: true,
      directory: bucketDir,
      configureBuckets: [{ name: "bench" }]
    })
    await server.run()
    try {
      const endpoint = `http://127.0.0.1:${port}`
      const store = RecordingStore.s3({
        bucket: "bench",
        keyPrefix: "",
        endpoint,
        region: "us-east-1",
        pathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: Redacted.make("S3RVER") }
      })
      const client = new S3Client({
        endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }
      })
      // Both clients warmed by one small request (connections, credentials, endpoint resolution).
      const { uploads, close } = await Effect.runPromise(
        Effect.gen(function* () {
          const scope = yield* Scope.make()
          const made = yield* Layer.buildWithScope(store, scope)
          return {
            uploads: Context.get(made, RecordingStore),
            close: () => Effect.runPromise(Scope.close(scope, Exit.void))
          }
        })
      )
      const warm = Path.join(dir, "warm.txt")
      Fs.writeFileSync(warm, "warm")
      await Effect.runPromise(uploads.upload(dir, "warm", ["warm.txt"]))
      await client.send(new PutObjectCommand({ Bucket: "bench", Key: "warm/plain.txt", Body: "warm" }))
      const big = Path.join(dir, "long.mp4")
      Fs.writeFileSync(big, Buffer.alloc(256 * 1e6, 7))
      console.log("\n## Uploads to s3rver on loopback")
      console.log("| file | OnAir | baseline (one PutObject) | ratio |")
      console.log("| --- | --- | --- | --- |")
      for (const [name, file] of [
        ["the 10-minute MP4", onair.value.mp4],
        ["256 MB (multipart for OnAir)", big]
      ] as const) {
        const bytes = Fs.statSync(file).size
        // Three rounds each, taking turns, after both clients made one request: the median of each.
        const oursTimes: Array<number> = []
        const plainTimes: Array<number> = []
        for (let round = 0; round < UPLOAD_ROUNDS; round++) {
          oursTimes.push(
            (
              await timed(() =>
                Effect.runPromise(
                  uploads.upload(Path.dirname(file), `recordings/ours-${bytes}-${round}`, [Path.basename(file)])
                )
              )
            ).seconds
          )
          plainTimes.push(
            (
              await timed(() =>
                client.send(
                  new PutObjectCommand({
                    Bucket: "bench",
                    Key: `recordings/plain-${bytes}-${round}.mp4`,
                    Body: Fs.readFileSync(file),
                    ContentType: "video/mp4"
                  })
                )
              )
            ).seconds
          )
        }
        const mbps = (seconds: number) => bytes / 1e6 / seconds
        const [ours, plain] = [median(oursTimes), median(plainTimes)]
        console.log(
          `| ${name}, ${(bytes / 1e6).toFixed(1)} MB | ${mbps(ours).toFixed(1)} MB/s | ${mbps(plain).toFixed(1)} MB/s | ${(mbps(ours) / mbps(plain)).toFixed(2)} |`
        )
      }
      client.destroy()
      await close()
    } finally {
      await server.close()
    }
  } finally {
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

await main()
