/**
 * The WebRTC source's fan-out, on real loopback sockets: every viewer gets every packet of the run it
 * follows; a newer run takes over from its first video packet (each viewer told once), and the older run's
 * packets and RTCP are dropped from then on; closing ends the viewers.
 */
import * as Dgram from "node:dgram"
import { afterEach, assert, describe, it } from "vitest"
import { type RtpTargets, WhepFanOut } from "../src/node/WhepFanOut.ts"

/** An RTP packet (version 2) with `ssrc` and `marker` as its one payload byte. */
const rtp = (ssrc: number, marker: number) => {
  const packet = Buffer.alloc(13)
  packet[0] = 0x80
  packet[1] = 96
  packet.writeUInt32BE(ssrc >>> 0, 8)
  packet[12] = marker
  return packet
}

/** A sender report (RTCP type 200) from `ssrc`. */
const senderReport = (ssrc: number) => {
  const packet = Buffer.alloc(28)
  packet[0] = 0x80
  packet[1] = 200
  packet.writeUInt32BE(ssrc >>> 0, 4)
  return packet
}

const viewer = () => {
  const seen = { video: [] as Array<number>, audio: [] as Array<number>, switched: 0, ended: null as string | null }
  return {
    seen,
    sink: {
      video: (packet: Buffer) => seen.video.push(packet[12]!),
      audio: (packet: Buffer) => seen.audio.push(packet[12]!),
      switched: () => seen.switched++,
      end: (reason: string) => (seen.ended = reason)
    }
  }
}

describe("WhepFanOut", () => {
  const sender = Dgram.createSocket("udp4")
  const open: Array<WhepFanOut> = []
  afterEach(() => {
    for (const fanOut of open.splice(0)) fanOut.close("test over")
  })

  /** Sends `packets` one at a time, each once the fan-out has read the one before (two sockets, one order). */
  const send = async (fanOut: WhepFanOut, packets: ReadonlyArray<readonly [port: number, packet: Buffer]>) => {
    for (const [port, packet] of packets) {
      const before = fanOut.datagrams
      sender.send(packet, port, "127.0.0.1")
      for (let tries = 0; tries < 400 && fanOut.datagrams === before; tries++)
        await new Promise((r) => setTimeout(r, 2))
      assert.isAbove(fanOut.datagrams, before, "the datagram was read")
    }
  }

  it("hands every viewer the run it follows, and takes the newer run from its first video packet", async () => {
    const fanOut = await WhepFanOut.open()
    open.push(fanOut)
    const [one, two] = [viewer(), viewer()]
    assert.isTrue(fanOut.add(one.sink))
    assert.isTrue(fanOut.add(two.sink))
    const first: RtpTargets = fanOut.nextRun()
    const second: RtpTargets = fanOut.nextRun()
    await send(fanOut, [
      [first.videoPort, rtp(first.videoSsrc, 1)],
      [first.audioPort, rtp(first.audioSsrc, 2)],
      [first.videoPort, senderReport(first.videoSsrc)],
      // The second run's audio comes before its video: not followed yet.
      [second.audioPort, rtp(second.audioSsrc, 3)],
      [first.videoPort, rtp(first.videoSsrc, 4)],
      [second.videoPort, rtp(second.videoSsrc, 5)],
      [second.audioPort, rtp(second.audioSsrc, 6)],
      // The first run's stragglers, after the second took over.
      [first.videoPort, rtp(first.videoSsrc, 7)],
      [first.audioPort, rtp(first.audioSsrc, 8)]
    ])
    for (const { seen } of [one, two]) {
      assert.deepStrictEqual(seen.video, [1, 4, 5])
      assert.deepStrictEqual(seen.audio, [2, 6])
      assert.strictEqual(seen.switched, 1, "told once, at the second run")
    }
  })

  it("ignores datagrams no run of it sends, and ends its viewers when closed", async () => {
    const fanOut = await WhepFanOut.open()
    open.push(fanOut)
    const watcher = viewer()
    fanOut.add(watcher.sink)
    const run = fanOut.nextRun()
    await send(fanOut, [
      [run.videoPort, rtp(run.videoSsrc + 1000, 1)],
      [run.videoPort, Buffer.from("not rtp")],
      // Audio's SSRC on the video port.
      [run.videoPort, rtp(run.audioSsrc, 2)]
    ])
    assert.deepStrictEqual(watcher.seen.video, [])
    fanOut.close("the broadcast ended")
    assert.strictEqual(watcher.seen.ended, "the broadcast ended")
    assert.isFalse(fanOut.add(viewer().sink), "a closed source takes no viewer")
  })
})
