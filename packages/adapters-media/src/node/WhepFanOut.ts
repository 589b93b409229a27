/**
 * One realtime session's WebRTC source, fanned out to its WHEP viewers. The packager's runs of the session
 * (live and slate, `Packagers`) also write it as RTP to two loopback UDP sockets this holds: video copied
 * (H.264 in Annex B, with its parameter sets before every keyframe) and audio encoded to Opus, once for
 * every viewer. Each packet is handed to every viewer as it arrives: nothing is decoded or encoded per
 * viewer.
 *
 * Every run writes with SSRCs of its own (`nextRun`), so runs that overlap while one takes over from
 * another never interleave: the newest run is followed from its first video packet (ffmpeg starts a copied
 * stream at a keyframe), the one before is ignored from then on, and each viewer is told (`switched`) so
 * its sequence numbers and timestamps go on without a jump.
 */
import * as Dgram from "node:dgram"
import { randomInt } from "node:crypto"

/** Where a run writes its RTP, and the SSRCs that mark it as that run. */
export interface RtpTargets {
  readonly videoPort: number
  readonly audioPort: number
  readonly videoSsrc: number
  readonly audioSsrc: number
}

/** A viewer as the fan-out sees it: where its packets go. */
export interface FanOutViewer {
  readonly video: (packet: Buffer) => void
  readonly audio: (packet: Buffer) => void
  /** The packets now come from another run: its numbering goes on from the last packet sent. */
  readonly switched: () => void
  /** The source is gone for good (the broadcast ended, the node stops). */
  readonly end: (reason: string) => void
}

const RTP_HEADER_BYTES = 12

/** The run an RTP packet's SSRC names, or -1: not an RTP packet of this fan-out (RTCP, a stray datagram). */
const runOf = (packet: Buffer, base: number, kind: 0 | 1): number => {
  if (packet.length < RTP_HEADER_BYTES || packet[0]! >> 6 !== 2) return -1
  // RTCP shares the port: sender reports and the like are types 200-204 in the second byte.
  if (packet[1]! >= 200 && packet[1]! <= 204) return -1
  const offset = (packet.readUInt32BE(8) - base) >>> 0
  return offset % 2 === kind ? offset >> 1 : -1
}

const bound = (socket: Dgram.Socket): Promise<number> =>
  new Promise((resolve, reject) => {
    socket.once("error", reject)
    socket.bind(0, "127.0.0.1", () => {
      socket.off("error", reject)
      socket.on("error", () => {})
      resolve(socket.address().port)
    })
  })

export class WhepFanOut {
  private readonly viewers = new Set<FanOutViewer>()
  /** SSRCs are `base + 2 × run` (video) and one more (audio). */
  private readonly base = randomInt(0, 2 ** 31)
  private runs = 0
  /** The run followed now; -1 before the first packet. */
  private following = -1
  private closed = false
  /** Datagrams read (what was handed out or dropped), for tests and the node's load. */
  datagrams = 0

  private readonly videoSocket: Dgram.Socket
  private readonly audioSocket: Dgram.Socket
  readonly videoPort: number
  readonly audioPort: number

  private constructor(videoSocket: Dgram.Socket, audioSocket: Dgram.Socket, videoPort: number, audioPort: number) {
    this.videoSocket = videoSocket
    this.audioSocket = audioSocket
    this.videoPort = videoPort
    this.audioPort = audioPort
    videoSocket.on("message", (packet: Buffer) => {
      this.datagrams++
      const run = runOf(packet, this.base, 0)
      if (run < 0 || run >= this.runs || run < this.following) return
      if (run > this.following) {
        const first = this.following < 0
        this.following = run
        if (!first) for (const viewer of this.viewers) viewer.switched()
      }
      for (const viewer of this.viewers) viewer.video(packet)
    })
    audioSocket.on("message", (packet: Buffer) => {
      this.datagrams++
      if (runOf(packet, this.base, 1) !== this.following) return
      for (const viewer of this.viewers) viewer.audio(packet)
    })
  }

  /** Binds its two loopback sockets. */
  static async open(): Promise<WhepFanOut> {
    const video = Dgram.createSocket("udp4")
    const audio = Dgram.createSocket("udp4")
    try {
      const [videoPort, audioPort] = await Promise.all([bound(video), bound(audio)])
      return new WhepFanOut(video, audio, videoPort, audioPort)
    } catch (error) {
      video.close()
      audio.close()
      throw error
    }
  }

  /** Where the next run writes, and with which SSRCs. */
  nextRun(): RtpTargets {
    const run = this.runs++
    return {
      videoPort: this.videoPort,
      audioPort: this.audioPort,
      videoSsrc: (this.base + 2 * run) >>> 0,
      audioSsrc: (this.base + 2 * run + 1) >>> 0
    }
  }

  /** Adds a viewer; false once the source is closed. */
  add(viewer: FanOutViewer): boolean {
    if (this.closed) return false
    this.viewers.add(viewer)
    return true
  }

  remove(viewer: FanOutViewer): void {
    this.viewers.delete(viewer)
  }

  get viewerCount(): number {
    return this.viewers.size
  }

  /** Closes its sockets and ends its viewers with `reason`. */
  close(reason: string): void {
    if (this.closed) return
    this.closed = true
    for (const viewer of this.viewers) viewer.end(reason)
    this.viewers.clear()
    this.videoSocket.close()
    this.audioSocket.close()
  }
}
