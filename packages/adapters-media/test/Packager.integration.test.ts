/**
 * The low-latency packager's reading and cutting, on fragmented MP4 that ffmpeg really writes (the same
 * arguments the packager runs it with, from a file instead of the relay): parts, segments on keyframes, the
 * playlist's LL-HLS tags, blocking reload's answers, parts that come later or never, a new run after a
 * reconnect, the end.
 */
import { SessionId } from "@onair/core"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { BoxSplitter, Fmp4Malformed, readTracks } from "../src/node/Fmp4Boxes.ts"
import { LowLatencyStream } from "../src/node/LowLatencyStream.ts"
import { fragmentReader } from "../src/node/FragmentReader.ts"
import { liveArgs } from "../src/node/PackagerArgs.ts"

const exec = promisify(execFile)
const PART = 0.3

/** 6 s of 30 fps video keyed every 2 s with AAC audio, as FLV (what the relay carries). */
const source = async (dir: string) => {
  const file = Path.join(dir, "source.flv")
  await exec("ffmpeg", [
    ...["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30"],
    ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "6"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0"],
    ...["-c:a", "aac", "-f", "flv", "-y", file]
  ])
  return file
}

/** What the packager's ffmpeg writes for `input`. */
const fragmented = async (input: string) => {
  const args = liveArgs(input, PART).filter((arg) => arg !== "-rw_timeout" && arg !== "10000000")
  const { stdout } = await exec("ffmpeg", [...args], { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 })
  return new Uint8Array(stdout)
}

const SESSION = SessionId.make("00000000-0000-4000-8000-000000000031")
const newStream = () =>
  new LowLatencyStream(SESSION, {
    fragmentSeconds: PART,
    minSegmentSeconds: 1,
    windowSeconds: 12,
    dvr: null
  })

/** Feeds `bytes` in uneven chunks, as a pipe would. */
const feed = (stream: LowLatencyStream, bytes: Uint8Array, clock = { now: 1_800_000_000_000 }) => {
  const read = fragmentReader(stream, { now: () => clock.now, firstPartSeconds: 3 * PART, takeOver: () => {} })
  let at = 0
  for (let size = 1; at < bytes.length; size = (size * 7 + 3) % 5000) {
    read(bytes.subarray(at, at + size + 1))
    at += size + 1
  }
}

const tagLines = (playlist: string, tag: string) => playlist.split("\n").filter((line) => line.startsWith(tag))

describe("the low-latency packager", () => {
  let dir: string
  let bytes: Uint8Array

  beforeAll(async () => {
    dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-packager-"))
    bytes = await fragmented(await source(dir))
  }, 60_000)
  afterAll(() => Fs.rmSync(dir, { recursive: true, force: true }))

  it("reads the tracks, and refuses a box that claims an impossible size", () => {
    const boxes = new BoxSplitter().push(bytes)
    assert.deepStrictEqual(
      boxes.slice(0, 3).map((box) => box.type),
      ["ftyp", "moov", "moof"]
    )
    const tracks = readTracks(boxes[1]!)
    assert.deepStrictEqual(
      tracks.map((track) => track.kind),
      ["vide", "soun"]
    )
    assert.strictEqual(tracks[1]!.timescale, 48_000)
    assert.throws(() => new BoxSplitter().push(new Uint8Array([0, 0, 0, 4, 0x6d, 0x6f, 0x6f, 0x66])), Fmp4Malformed)
  })

  it("cuts parts within the part target, segments on keyframes, and writes the LL-HLS playlist", () => {
    const stream = newStream()
    feed(stream, bytes)
    const playlist = stream.playlist()
    const target = Number(/PART-TARGET=([\d.]+)/.exec(playlist)?.[1])
    assert.isTrue(target > 0.33 && target <= 0.34, `0.3 s and about one frame: ${target}`)
    assert.include(playlist, `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${(target * 3).toFixed(3)}`)
    assert.include(playlist, '#EXT-X-MAP:URI="init-0.mp4"')
    assert.include(playlist, "#EXT-X-TARGETDURATION:2")
    // 6 s keyed every 2 s: two complete segments of 2 s, the third still being cut.
    const durations = tagLines(playlist, "#EXTINF:").map((line) => Number.parseFloat(line.slice(8)))
    assert.strictEqual(durations.length, 2)
    for (const duration of durations) assert.approximately(duration, 2, 0.05)
    const parts = tagLines(playlist, "#EXT-X-PART:")
    assert.isAtLeast(parts.length, 14)
    for (const part of parts) assert.isAtMost(Number(/DURATION=([\d.]+)/.exec(part)?.[1]), target)
    // Each segment's first part starts on its keyframe; no other part does (2 s keyframes).
    const independent = parts
      .filter((part) => part.includes("INDEPENDENT=YES"))
      .map((part) => /URI="([^"]+)"/.exec(part)?.[1])
    assert.deepStrictEqual(independent, ["0.0.m4s", "1.0.m4s", "2.0.m4s"])
    assert.strictEqual(tagLines(playlist, "#EXT-X-PROGRAM-DATE-TIME:").length, 3)
    const hint = tagLines(playlist, "#EXT-X-PRELOAD-HINT:")
    assert.strictEqual(hint.length, 1)
    assert.match(hint[0]!, /^#EXT-X-PRELOAD-HINT:TYPE=PART,URI="2\.\d+\.m4s"$/)
    assert.notInclude(playlist, "#EXT-X-ENDLIST")
  })

  it("a complete segment is its parts, and plays after its map", async () => {
    const stream = newStream()
    feed(stream, bytes)
    const segment = stream.segment(1)
    assert.strictEqual(segment._tag, "Here")
    if (segment._tag !== "Here") return
    const part = stream.part(1, 0)
    assert.strictEqual(part._tag, "Here")
    if (part._tag === "Here") assert.deepStrictEqual(part.bytes, segment.bytes.subarray(0, part.bytes.length))
    const file = Path.join(dir, "segment.mp4")
    Fs.writeFileSync(file, Buffer.concat([stream.init(0)!, segment.bytes]))
    const { stdout } = await exec("ffprobe", [
      ...["-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames"],
      ...["-of", "csv=p=0", file]
    ])
    assert.strictEqual(stdout.trim(), "60")
  })

  it("answers a blocking reload when it can, holds it while the part is next, refuses it too far ahead", () => {
    const stream = newStream()
    feed(stream, bytes)
    const hinted = Number(/PRELOAD-HINT:TYPE=PART,URI="2\.(\d+)\.m4s"/.exec(stream.playlist())?.[1])
    assert.strictEqual(stream.readiness(1, null), "ready", "a complete segment")
    assert.strictEqual(stream.readiness(2, 0), "ready", "a part that exists")
    assert.strictEqual(stream.readiness(2, null), "wait", "the segment being cut")
    assert.strictEqual(stream.readiness(2, hinted), "wait", "the next part")
    assert.strictEqual(stream.readiness(3, 0), "wait", "the next segment's first part")
    assert.strictEqual(stream.readiness(3, null), "wait", "the last complete segment plus two")
    assert.strictEqual(stream.readiness(4, null), "too far", "past the last complete segment plus two")
    assert.strictEqual(stream.readiness(2, hinted + 30), "too far", "past the Advance Part Limit")
    assert.deepStrictEqual(stream.part(2, hinted), { _tag: "Later" })
    assert.deepStrictEqual(stream.part(2, hinted + 1), { _tag: "Never" })
    assert.deepStrictEqual(stream.part(0, 40), { _tag: "Never" })
    assert.deepStrictEqual(stream.segment(2), { _tag: "Later" })
  })

  it("tells listeners of each part, and a hinted part that never comes is never", () => {
    const stream = newStream()
    let changes = 0
    const stop = stream.onChange(() => changes++)
    feed(stream, bytes)
    stop()
    assert.isAtLeast(changes, 14)
    const hinted = Number(/PRELOAD-HINT:TYPE=PART,URI="2\.(\d+)\.m4s"/.exec(stream.playlist())?.[1])
    // The encoder leaves: the segment being cut is complete without the hinted part.
    stream.endRun()
    assert.deepStrictEqual(stream.part(2, hinted), { _tag: "Never" })
    assert.strictEqual(stream.segment(2)._tag, "Here")
    assert.include(stream.playlist(), '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="3.0.m4s"')
  })

  it("a reconnect's new run goes on with the media sequence after a discontinuity and its own map; the end ends the playlist", () => {
    const stream = newStream()
    feed(stream, bytes)
    stream.endRun()
    feed(stream, bytes, { now: 1_800_000_010_000 })
    const playlist = stream.playlist()
    assert.strictEqual(tagLines(playlist, "#EXT-X-DISCONTINUITY").length, 1)
    assert.include(playlist, '#EXT-X-MAP:URI="init-1.mp4"')
    assert.include(playlist, "\n3.m4s\n")
    assert.match(playlist, /#EXT-X-PART:DURATION=[\d.]+,URI="3\.0\.m4s",INDEPENDENT=YES/)
    assert.isDefined(stream.init(1))
    stream.end()
    const ended = stream.playlist()
    assert.isTrue(ended.endsWith("#EXT-X-ENDLIST\n"))
    assert.notInclude(ended, "CAN-SKIP-UNTIL", "a playlist without a DVR window is short: always whole")
    assert.strictEqual(stream.playlist(true), ended)
    assert.notInclude(ended, "PRELOAD-HINT")
    assert.strictEqual(stream.readiness(9, null), "too far")
    assert.strictEqual(stream.readiness(5, 40), "ready", "nothing more will come: answered as it is")
  })

  it("keeps a bounded window: old segments leave, the media sequence and discontinuity sequence move on", () => {
    const stream = new LowLatencyStream(SESSION, {
      fragmentSeconds: PART,
      minSegmentSeconds: 1,
      windowSeconds: 4,
      dvr: null
    })
    for (let run = 0; run < 6; run++) {
      feed(stream, bytes)
      stream.endRun()
    }
    const playlist = stream.playlist()
    // 6 runs of 3 segments, 18 in all; the window keeps 6.
    assert.include(playlist, "#EXT-X-MEDIA-SEQUENCE:12")
    assert.strictEqual(tagLines(playlist, "#EXTINF:").length, 6)
    assert.match(playlist, /#EXT-X-DISCONTINUITY-SEQUENCE:4\n/)
    assert.isUndefined(stream.init(0), "the maps of runs out of the window are let go")
    assert.isDefined(stream.init(5))
  })

  it("a DVR window keeps the segments that left memory in files, for its seconds, and serves them", () => {
    const kept = Path.join(dir, "dvr")
    const stream = new LowLatencyStream(SESSION, {
      fragmentSeconds: PART,
      minSegmentSeconds: 1,
      windowSeconds: 4,
      dvr: { dir: kept, seconds: 20 }
    })
    for (let run = 0; run < 6; run++) {
      feed(stream, bytes)
      stream.endRun()
    }
    const playlist = stream.playlist()
    const listed = [...playlist.matchAll(/^(\d+)\.m4s$/gm)].map((match) => Number(match[1]))
    // 18 segments of about 2 s: the last 6 in memory, and files for those before, up to 20 s after the first.
    const total = tagLines(playlist, "#EXTINF:").reduce((sum, line) => sum + Number.parseFloat(line.slice(8)), 0)
    assert.isTrue(total > 20 && total <= 24.5, `${total} s listed`)
    assert.strictEqual(listed.at(-1), 17)
    const files = Fs.readdirSync(kept).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    assert.deepStrictEqual(
      files,
      listed.slice(0, listed.length - 6).map((msn) => `${msn}.m4s`),
      "the files are the listed segments out of memory, no others"
    )
    // The same media makes the same bytes: a segment from its file is the one still in memory of a later run.
    const first = listed[0]!
    const fromFile = stream.segment(first)
    const inMemory = stream.segment(first + 3 * Math.ceil((17 - first) / 3 - 1))
    assert.strictEqual(fromFile._tag, "Here")
    assert.strictEqual(inMemory._tag, "Here")
    if (fromFile._tag === "Here" && inMemory._tag === "Here") assert.deepStrictEqual(fromFile.bytes, inMemory.bytes)
    assert.deepStrictEqual(stream.part(first, 0), { _tag: "Never" }, "parts of a segment out of memory are not listed")
    assert.isUndefined(playlist.split("\n").find((line) => line.includes(`URI="${first}.0.m4s"`)))

    // A long playlist offers delta updates: the segments ending more than six target durations before its
    // end are one EXT-X-SKIP line, and the first kept segment names its map again.
    assert.include(playlist, "CAN-SKIP-UNTIL=12.0")
    assert.include(playlist, "#EXT-X-VERSION:6")
    const delta = stream.playlist(true)
    assert.include(delta, "#EXT-X-VERSION:9")
    const skipped = Number(/#EXT-X-SKIP:SKIPPED-SEGMENTS=(\d+)/.exec(delta)?.[1])
    const inDelta = [...delta.matchAll(/^(\d+)\.m4s$/gm)].map((match) => Number(match[1]))
    assert.isAbove(skipped, 0)
    assert.deepStrictEqual(inDelta, listed.slice(skipped), "the delta keeps the newest segments, in order")
    const keptSeconds = tagLines(delta, "#EXTINF:").reduce((sum, line) => sum + Number.parseFloat(line.slice(8)), 0)
    assert.isTrue(keptSeconds > 12 && keptSeconds < 12 + 2.1, `${keptSeconds} s kept`)
    const afterSkip = delta.split("\n").slice(delta.split("\n").findIndex((line) => line.startsWith("#EXT-X-SKIP")) + 1)
    assert.match(
      afterSkip.find((line) => !line.startsWith("#EXT-X-DISCONTINUITY")) ?? "",
      /^#EXT-X-MAP:URI="init-\d\.mp4"$/
    )
  })
})
