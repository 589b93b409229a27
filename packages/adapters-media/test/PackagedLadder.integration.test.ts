/**
 * A packaged ladder on what ffmpeg really writes with the packager's arguments (from a file instead of the
 * relay): the source on standard output and each rung on a pipe of its own, read into their streams with
 * every rung following the source. Live and slate runs alike: every variant's segments carry the same
 * numbers and last as long, and each rung is at its own size.
 */
import { SessionId } from "@onair/core"
import { execFile, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { fragmentReader } from "../src/node/FragmentReader.ts"
import { LowLatencyStream } from "../src/node/LowLatencyStream.ts"
import { PackagedLadder } from "../src/node/PackagedLadder.ts"
import { liveArgs, rungPipe, slateArgs } from "../src/node/PackagerArgs.ts"
import * as RenditionLadders from "../src/node/RenditionLadders.ts"

const exec = promisify(execFile)
const PART = 0.3
const SLATE = Path.join(import.meta.dirname, "../assets/slate.png")

const streamFor = () =>
  new LowLatencyStream(SessionId.make("00000000-0000-4000-8000-000000000001"), {
    fragmentSeconds: PART,
    minSegmentSeconds: 1,
    windowSeconds: 60,
    dvr: null
  })

/** Runs ffmpeg with `args` and reads its outputs as the packager does: the source, then every rung after it. */
const packaged = async (args: ReadonlyArray<string>, plan: RenditionLadders.LadderPlan) => {
  const source = streamFor()
  const ladder = new PackagedLadder(plan, streamFor)
  let sourceStart: number | null = null
  const read = fragmentReader(source, {
    now: Date.now,
    firstPartSeconds: PART * 3,
    takeOver: () => {},
    started: (offset) => (sourceStart = offset)
  })
  const rungs = ladder.readers({ now: Date.now, firstPartSeconds: PART * 3, sourceStart: () => sourceStart })
  const child = spawn("ffmpeg", [...args], { stdio: ["ignore", "pipe", "pipe", ...rungs.map(() => "pipe" as const)] })
  child.stdout!.on("data", (chunk: Buffer) => read(chunk))
  rungs.forEach((reader, index) => {
    child.stdio[rungPipe(index)]!.on("data", (chunk: Buffer) => reader(chunk))
  })
  let said = ""
  child.stderr!.on("data", (chunk: Buffer) => (said += String(chunk)))
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
  assert.strictEqual(code, 0, said)
  source.endRun()
  ladder.endRun()
  return { source, ladder }
}

/** A playlist's segments: number to duration. */
const segmentsOf = (stream: LowLatencyStream) =>
  new Map(
    [...stream.playlist().matchAll(/#EXTINF:([\d.]+),\s*\n(\d+)\.m4s/g)].map((match) => [
      Number(match[2]),
      Number(match[1])
    ])
  )

const sizeOf = async (dir: string, stream: LowLatencyStream) => {
  const file = Path.join(dir, `probe-${Math.random().toString(36).slice(2)}.mp4`)
  const first = segmentsOf(stream).keys().next().value!
  const segment = stream.segment(first)
  assert.strictEqual(segment._tag, "Here")
  Fs.writeFileSync(
    file,
    Buffer.concat([stream.latestInit!, segment._tag === "Here" ? segment.bytes : new Uint8Array()])
  )
  const { stdout } = await exec("ffprobe", [
    ...["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", file]
  ])
  return stdout.trim()
}

const assertAligned = (source: LowLatencyStream, ladder: PackagedLadder) => {
  const expected = segmentsOf(source)
  assert.isAtLeast(expected.size, 3, source.playlist())
  for (const { rung, stream } of ladder.rungs) {
    const segments = segmentsOf(stream)
    assert.deepStrictEqual([...segments.keys()], [...expected.keys()], `${rung.name}: the same numbers`)
    for (const [msn, seconds] of segments) {
      assert.approximately(seconds, expected.get(msn)!, 0.04, `${rung.name} segment ${msn}`)
    }
  }
}

describe("a packaged ladder", { timeout: 60_000 }, () => {
  let dir: string
  let input: string
  const plan = RenditionLadders.plan(["source", "360p", "240p"], { width: 854, height: 480, fps: 30 })!

  beforeAll(async () => {
    dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-ladder-"))
    input = Path.join(dir, "source.flv")
    // Keyed every 1.5 s, as an encoder might: segments close on the first keyframe past a second.
    await exec("ffmpeg", [
      ...["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=30"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "6"],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "45", "-keyint_min", "45", "-sc_threshold", "0"],
      ...["-c:a", "aac", "-f", "flv", "-y", input]
    ])
  })
  afterAll(() => Fs.rmSync(dir, { recursive: true, force: true }))

  it("a live run: every rung's segments are the source's, by number and length, at the rung's size", async () => {
    const args = liveArgs(input, PART, null, plan).filter((arg) => arg !== "-rw_timeout" && arg !== "10000000")
    const { source, ladder } = await packaged(args, plan)
    assertAligned(source, ladder)
    assert.deepStrictEqual(await Promise.all(ladder.rungs.map(({ stream }) => sizeOf(dir, stream))), [
      "640,360",
      "428,240"
    ])
  })

  it("a slate run: the slate at every rung's size, numbered alike", async () => {
    const args = [...slateArgs(SLATE, { width: 854, height: 480, fps: 30, audio: true }, PART, null, plan)]
    // Four seconds of it (the picture and the silence), as fast as ffmpeg goes.
    const paced = args.filter((arg) => arg !== "-re").flatMap((arg) => (arg === "-i" ? ["-t", "4", arg] : [arg]))
    const { source, ladder } = await packaged(paced, plan)
    assertAligned(source, ladder)
    assert.deepStrictEqual(await Promise.all(ladder.rungs.map(({ stream }) => sizeOf(dir, stream))), [
      "640,360",
      "428,240"
    ])
  })
})
