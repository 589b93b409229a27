/**
 * Encoders are real ffmpeg processes publishing a test pattern; players are ffprobe and ffmpeg reading the
 * playback URL.
 */
import { execFile, spawn } from "node:child_process"
import { promisify } from "node:util"
import { stopProcess } from "./StopProcess.ts"

const exec = promisify(execFile)

export interface Encoder {
  readonly pid: number
  /** Resolves with ffmpeg's exit code. */
  readonly exited: Promise<number | null>
  readonly output: () => string
  /** Seconds of media it has sent so far, as ffmpeg reports its progress. */
  readonly sentSeconds: () => number
  /**
   * Resolves once it has sent `seconds` of media: the media a test needs on the wire (a recording of that
   * length, parts that would have been written), said as a condition on the encoder, not a wall-clock pause.
   */
  readonly hasSent: (seconds: number) => Promise<void>
  /** Stops it the way an operator stops OBS: the connection closes. */
  readonly stop: () => Promise<number | null>
}

/**
 * ffmpeg publishing the notes' browser-playable test pattern (H.264 High yuv420p + AAC) to `url` in real
 * time. Small frames keep two test encoders within this machine's two cores.
 */
export const publish = (
  url: string,
  options?: { readonly size?: string; readonly pattern?: "testsrc" | "testsrc2" }
): Encoder => {
  const child = spawn(
    "ffmpeg",
    [
      "-nostdin",
      "-loglevel",
      "error",
      "-progress",
      "pipe:1",
      "-stats_period",
      "0.25",
      "-re",
      "-f",
      "lavfi",
      "-i",
      `${options?.pattern ?? "testsrc"}=size=${options?.size ?? "640x360"}:rate=30`,
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=1000",
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-tune",
      "zerolatency",
      "-pix_fmt",
      "yuv420p",
      "-g",
      "60",
      "-c:a",
      "aac",
      "-f",
      url.startsWith("srt://") ? "mpegts" : "flv",
      url
    ],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
  let output = ""
  child.stderr!.on("data", (chunk: Buffer) => (output += String(chunk)))
  // `-progress` writes key=value blocks; out_time_us is how much media went out.
  let sent = 0
  const waiting = new Set<{ readonly seconds: number; readonly resolve: () => void }>()
  let progress = ""
  child.stdout!.on("data", (chunk: Buffer) => {
    progress += String(chunk)
    const lines = progress.split("\n")
    progress = lines.pop() ?? ""
    for (const line of lines) {
      const match = /^out_time_us=(\d+)$/.exec(line.trim())
      if (match !== null) sent = Math.max(sent, Number(match[1]) / 1_000_000)
    }
    for (const waiter of waiting) {
      if (sent >= waiter.seconds) {
        waiting.delete(waiter)
        waiter.resolve()
      }
    }
  })
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return {
    pid: child.pid!,
    exited,
    output: () => output,
    sentSeconds: () => sent,
    hasSent: (seconds) =>
      sent >= seconds
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiting.add({ seconds, resolve })),
            exited.then((code) => {
              throw new Error(`the encoder exited with ${code} after ${sent} s of the ${seconds} s asked:\n${output}`)
            })
          ]),
    stop: async () => {
      await stopProcess(child, { signal: "SIGINT", graceMillis: 5_000 })
      return await exited
    }
  }
}

/** What ffprobe reads at `url`: each stream's codec and profile. */
export const probe = async (
  url: string
): Promise<ReadonlyArray<{ codec_name: string; profile?: string; width?: number }>> => {
  const { stdout } = await exec(
    "ffprobe",
    [
      "-v",
      "error",
      "-rw_timeout",
      "10000000",
      "-show_entries",
      "stream=codec_name,profile,width,height",
      "-of",
      "json",
      url
    ],
    { timeout: 20_000 }
  )
  return (JSON.parse(stdout) as { streams: Array<{ codec_name: string; profile?: string; width?: number }> }).streams
}

/** Plays `seconds` of `url` with ffmpeg, as a viewer would (segments fetched in real time). */
export const play = (url: string, seconds: number) =>
  exec("ffmpeg", ["-nostdin", "-v", "error", "-re", "-i", url, "-t", String(seconds), "-f", "null", "-"], {
    timeout: (seconds + 20) * 1000
  })
