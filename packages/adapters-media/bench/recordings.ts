/**
 * The recordings benchmark (`pnpm bench:recordings`): finalising a recording against its duration (issue
 * 14's goal: a 10-minute recording in well under 2 % of it, which only remuxing can do), next to the
 * baseline of a plain `ffmpeg -c copy` of the same parts to MP4 measured in the same run.
 *
 * The recording is `ONAIR_BENCH_RECORDING_MINUTES` (default 10) of 640x360 30 fps H.264 + AAC in two parts
 * (a reconnect), made first with ffmpeg (not timed).
 */
import { Effect } from "effect"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { finalise } from "../src/RecordingFinaliser.ts"

const exec = promisify(execFile)
const MINUTES = Number(process.env["ONAIR_BENCH_RECORDING_MINUTES"] ?? 10)

const part = async (dir: string, name: string, seconds: number) => {
  const file = Path.join(dir, name)
  await exec("ffmpeg", [
    "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=1000",
    "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "60", "-c:a", "aac", "-f", "flv", file
  ], { maxBuffer: 1024 * 1024 })
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
    const parts = [await part(dir, "a-1.flv", Math.round(total * 0.4)), await part(dir, "a-2.flv", total - Math.round(total * 0.4))]
    const onair = await timed(() => Effect.runPromise(finalise(parts, Path.join(dir, "out"))))
    const list = Path.join(dir, "list.txt")
    Fs.writeFileSync(list, parts.map((file) => `file '${file}'\n`).join(""))
    const plain = await timed(() =>
      exec("ffmpeg", ["-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, "-c", "copy", Path.join(dir, "plain.mp4")])
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
  } finally {
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

await main()
