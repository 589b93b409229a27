/**
 * A session's recording finalised with real ffmpeg: two parts (a reconnect) become one MP4 whose duration
 * is the two connected intervals', every frame once and none re-encoded, `+faststart`, an HLS VOD that
 * plays to its end, a poster and the MP4's SHA-256.
 */
import { Effect, Exit } from "effect"
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { finalise } from "../src/node/RecordingFinaliser.ts"

const exec = promisify(execFile)
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-finalise-"))

/** A part as nginx records it: FLV, H.264 + AAC, `seconds` long. */
const part = async (name: string, seconds: number) => {
  const file = Path.join(dir, name)
  await exec("ffmpeg", [
    "-nostdin",
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=320x180:rate=30",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=1000",
    "-t",
    String(seconds),
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-pix_fmt",
    "yuv420p",
    "-g",
    "60",
    "-c:a",
    "aac",
    "-f",
    "flv",
    file
  ])
  return file
}

/** Video packets in a file, as ffprobe counts them. */
const videoPackets = async (file: string) => {
  const { stdout } = await exec("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-count_packets",
    "-show_entries",
    "stream=nb_read_packets",
    "-of",
    "csv=p=0",
    file
  ])
  return Number(stdout.trim())
}

describe("finalising a recording", { timeout: 60_000 }, () => {
  let parts: Array<string> = []
  beforeAll(async () => {
    parts = [await part("a-1.flv", 2), await part("a-2.flv", 3)]
  })
  afterAll(() => Fs.rmSync(dir, { recursive: true, force: true }))

  it("joins a reconnect's parts into one MP4, HLS VOD and poster without re-encoding", async () => {
    const out = Path.join(dir, "out")
    const recording = await Effect.runPromise(finalise(parts, out))
    assert.approximately(recording.durationSeconds, 5, 1, "the two connected intervals, no gap between them")
    assert.deepStrictEqual(
      [recording.videoCodec, recording.audioCodec, recording.width, recording.height],
      ["h264", "aac", 320, 180]
    )
    // Every frame once: the MP4 has exactly the parts' video packets.
    assert.strictEqual(
      await videoPackets(recording.mp4),
      (await videoPackets(parts[0]!)) + (await videoPackets(parts[1]!))
    )
    const bytes = Fs.readFileSync(recording.mp4)
    assert.strictEqual(recording.size, bytes.length)
    assert.strictEqual(recording.sha256, createHash("sha256").update(bytes).digest("hex"))
    assert.isBelow(bytes.indexOf("moov"), bytes.indexOf("mdat"), "+faststart: the index before the media")

    const playlist = Fs.readFileSync(recording.vodPlaylist, "utf8")
    assert.include(playlist, "#EXT-X-PLAYLIST-TYPE:VOD")
    assert.include(playlist, "#EXT-X-ENDLIST")
    // It plays to its end.
    const { stderr } = await exec("ffmpeg", ["-nostdin", "-v", "info", "-i", recording.vodPlaylist, "-f", "null", "-"])
    const played = /time=(\d+):(\d+):(\d+\.\d+)/g
    const times = [...stderr.matchAll(played)].map((m) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]))
    assert.approximately(times.at(-1) ?? 0, recording.durationSeconds, 0.5)

    assert.deepStrictEqual([...Fs.readFileSync(recording.poster).subarray(0, 2)], [0xff, 0xd8])
  })

  it("fails with `no media` when nothing was recorded", async () => {
    const exit = await Effect.runPromiseExit(finalise([Path.join(dir, "missing.flv")], Path.join(dir, "none")))
    assert.isTrue(Exit.isFailure(exit))
    if (Exit.isFailure(exit)) assert.include(JSON.stringify(exit.cause), "no media")
  })
})
