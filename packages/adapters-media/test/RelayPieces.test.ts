/**
 * The pure pieces of restream relays: why an ffmpeg relay ended (the target's fault, with its reason, or
 * the session's media), and its `-progress` blocks read into bytes, bitrate, frames and speed.
 */
import { assert, describe, it } from "vitest"
import { classifyExit, readProgress } from "../src/node/RestreamRelays.ts"

const input = "rtmp://127.0.0.1:40000/hls/11111111-1111-4111-8111-111111111111"

describe("relay pieces", () => {
  it("blames the target with a reason, and never for the session's own media ending", () => {
    assert.isNull(classifyExit(0, "", input), "the input ended: the encoder left")
    assert.isNull(classifyExit(1, `${input}: Input/output error`, input), "the session's media is not there")
    assert.strictEqual(
      classifyExit(1, "[tcp @ 0x1] Connection to tcp://127.0.0.1:1 failed: Connection refused", input),
      "unreachable"
    )
    assert.strictEqual(classifyExit(1, "[tls @ 0x1] Peer certificate failed verification", input), "TLS error")
    assert.strictEqual(
      classifyExit(1, "[tcp @ 0x1] Connection to tcp://10.0.0.1:1935 failed: Connection timed out", input),
      "timed out"
    )
    assert.strictEqual(
      classifyExit(1, "[rtmp @ 0x1] Server error: NetStream.Publish.BadName", input),
      "refused by the target"
    )
    assert.strictEqual(classifyExit(1, "av_interleaved_write_frame(): Broken pipe", input), "refused by the target")
    assert.strictEqual(classifyExit(137, "", input), "relay failed")
  })

  it("reads ffmpeg's progress blocks, keeping the last known value of a field it could not read", () => {
    const first = readProgress(
      { bytes: 0, bitrateKbps: 0, frames: 0, speed: 0 },
      "frame=120\nfps=30.0\nbitrate=1024.5kbits/s\ntotal_size=524288\nspeed=1.01x\nprogress=continue\n"
    )
    assert.deepStrictEqual(first, { bytes: 524288, bitrateKbps: 1024.5, frames: 120, speed: 1.01 })
    assert.deepStrictEqual(readProgress(first, "frame=150\nbitrate=N/A\ntotal_size=600000\nspeed=N/A\n"), {
      bytes: 600000,
      bitrateKbps: 1024.5,
      frames: 150,
      speed: 1.01
    })
  })
})
