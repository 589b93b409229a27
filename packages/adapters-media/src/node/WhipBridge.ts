/**
 * One WHIP publisher's bridge into nginx. A werift peer connection answers the publisher's offer (H.264
 * video, Opus audio), and forwards the RTP and the sender reports it receives to an ffmpeg on loopback.
 * That ffmpeg copies the video, turns Opus into AAC, and pushes FLV to nginx's `gateway` server, where the
 * stream joins the same pipeline as RTMP.
 *
 * A keyframe is asked for (PLI) when the video starts and then every `keyframeMillis`. Browsers otherwise
 * send one only every few seconds or less often, and HLS cuts segments at keyframes.
 *
 * The bridge ends once, with a reason, when any of these happens:
 * - the peer connection fails or closes;
 * - it does not connect within `CONNECT_MILLIS`;
 * - no media arrives for `SILENCE_MILLIS`;
 * - ffmpeg exits (nginx dropped the push, or the media was unreadable);
 * - it is closed.
 * ffmpeg is stopped with SIGTERM and then SIGKILL: reading RTP, it may not heed the first.
 */
import * as Dgram from "node:dgram"
import * as Fs from "node:fs"
import { RTCPeerConnection, RTCRtpCodecParameters } from "werift"
import type { WhipSettings } from "./MediaSettings.ts"
import { FfmpegRun } from "./FfmpegRun.ts"
import { ffmpegSdp, type Negotiated, negotiated, type ReadPorts } from "./WhipSdp.ts"

const CONNECT_MILLIS = 15_000
const SILENCE_MILLIS = 10_000
const STOP_GRACE_MILLIS = 2_000

/** The offer cannot be answered: no H.264 video, or not an SDP offer werift can read. */
export class UnusableOffer extends Error {}

const VIDEO = new RTCRtpCodecParameters({
  mimeType: "video/H264",
  clockRate: 90_000,
  rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
  parameters: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"
})
const AUDIO = new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48_000, channels: 2 })

/** A UDP port whose next port is free too (ffmpeg reads RTCP there), free now on loopback. */
const freePortPair = async (): Promise<number> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = Dgram.createSocket("udp4")
    const port = await new Promise<number>((resolve, reject) => {
      first.once("error", reject)
      first.bind(0, "127.0.0.1", () => resolve(first.address().port))
    })
    const second = Dgram.createSocket("udp4")
    const paired = await new Promise<boolean>((resolve) => {
      second.once("error", () => resolve(false))
      second.bind(port + 1, "127.0.0.1", () => resolve(true))
    })
    first.close()
    if (paired) second.close()
    if (paired && port < 65_535) return port
  }
  throw new Error("no free pair of UDP ports on loopback")
}

export class WhipBridge {
  private ffmpeg: FfmpegRun | null = null
  private lastMedia = Date.now()
  private readonly timers: Array<NodeJS.Timeout> = []
  private readonly sender = Dgram.createSocket("udp4")
  private endWith: (reason: string) => void = () => {}
  private endReason: string | null = null
  /** Resolves with why the bridge ended, once. */
  readonly ended: Promise<string>
  /** Resolves once the peer connection has closed its ICE sockets (after the bridge ended). */
  closed: Promise<void> = Promise.resolve()
  private readonly pc: RTCPeerConnection
  private readonly ports: ReadPorts
  private readonly keyframeMillis: number

  private constructor(pc: RTCPeerConnection, ports: ReadPorts, keyframeMillis: number) {
    this.pc = pc
    this.ports = ports
    this.keyframeMillis = keyframeMillis
    this.ended = new Promise((resolve) => (this.endWith = resolve))
    this.sender.on("error", () => {})
  }

  /** The answer to the publisher's offer, and what it agreed to. */
  answer = ""
  codecs: Negotiated = { video: null, audio: null }

  /** Answers `offer`; the bridge forwards nothing until `push`. Fails with `UnusableOffer`. */
  static async open(offer: string, settings: WhipSettings, keyframeMillis: number): Promise<WhipBridge> {
    const ports = { video: await freePortPair(), audio: await freePortPair() }
    const pc = new RTCPeerConnection({
      codecs: { video: [VIDEO], audio: [AUDIO] },
      icePortRange: [settings.udpPorts[0], settings.udpPorts[1]],
      iceAdditionalHostAddresses: [...settings.hostAddresses]
    })
    const bridge = new WhipBridge(pc, ports, keyframeMillis)
    // Before the offer is read: reading it adds the transceivers.
    bridge.listen()
    // An offer that fails here releases its ICE sockets before the answer says so.
    const unusable = async (message: string) => {
      bridge.close(message)
      await bridge.closed
      return new UnusableOffer(message)
    }
    try {
      await pc.setRemoteDescription({ type: "offer", sdp: offer })
      await pc.setLocalDescription(await pc.createAnswer())
    } catch (cause) {
      throw await unusable(`offer: not an SDP offer this server can answer (${String(cause).slice(0, 200)})`)
    }
    bridge.answer = pc.localDescription?.sdp ?? ""
    bridge.codecs = negotiated(bridge.answer)
    if (bridge.codecs.video === null) {
      throw await unusable("offer: it must send H.264 video (packetization-mode 1); Opus audio is optional")
    }
    return bridge
  }

  /** Whether RTP goes to ffmpeg now. */
  private get forwarding(): boolean {
    return this.ffmpeg?.running === true && this.endReason === null
  }

  private listen(): void {
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === "failed" || state === "closed") this.end(`peer connection ${state}`)
    })
    this.timers.push(
      setTimeout(() => {
        if (this.pc.connectionState !== "connected") this.end("the peer connection did not connect in time")
      }, CONNECT_MILLIS)
    )
    this.timers.push(
      setInterval(() => {
        if (Date.now() - this.lastMedia > SILENCE_MILLIS) this.end("no media")
      }, 1_000)
    )
    this.pc.onTransceiverAdded.subscribe((transceiver) => {
      const kind = transceiver.kind
      const port = kind === "video" ? this.ports.video : this.ports.audio
      transceiver.onTrack.subscribe((track) => {
        track.onReceiveRtp.subscribe((rtp) => {
          this.lastMedia = Date.now()
          if (this.forwarding) this.sender.send(rtp.serialize(), port, "127.0.0.1")
        })
        if (kind !== "video") return
        track.onReceiveRtp.once((rtp) => {
          const ssrc = rtp.header.ssrc
          const keyframe = () => void transceiver.receiver.sendRtcpPLI(ssrc).catch(() => {})
          keyframe()
          if (this.endReason === null) this.timers.push(setInterval(keyframe, this.keyframeMillis))
        })
      })
      // Sender reports tie each stream's RTP clock to wall time: ffmpeg lines audio up with video by them.
      transceiver.receiver.onRtcp.subscribe((packet) => {
        if (packet.type === 200 && this.forwarding) this.sender.send(packet.serialize(), port + 1, "127.0.0.1")
      })
    })
  }

  /** Starts forwarding to an ffmpeg that pushes to `output` (its SDP written owner-only at `sdpFile`). */
  push(output: string, sdpFile: string): void {
    if (this.endReason !== null) return
    Fs.writeFileSync(sdpFile, ffmpegSdp(this.codecs, this.ports), { mode: 0o600 })
    const audio = this.codecs.audio === null ? ["-an"] : ["-c:a", "aac", "-b:a", "128k"]
    this.ffmpeg = new FfmpegRun(
      [
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-protocol_whitelist",
        "file,udp,rtp",
        "-fflags",
        "+genpts",
        "-i",
        sdpFile,
        "-c:v",
        "copy",
        ...audio,
        "-f",
        "flv",
        "-rw_timeout",
        "10000000",
        output
      ],
      {
        secrets: [new URL(output).searchParams.get("gw") ?? ""],
        stopGraceMillis: STOP_GRACE_MILLIS,
        onExit: (exit) => {
          if ("error" in exit) return this.end(`ffmpeg could not run: ${exit.error.message}`)
          Fs.rm(sdpFile, { force: true }, () => {})
          this.end(`the bridge to the media server ended (code ${exit.code ?? "signal"})`)
        }
      }
    )
  }

  /** What ffmpeg last said (the push's token masked). */
  get messages(): string {
    return this.ffmpeg?.messages ?? ""
  }

  /** Ends the bridge (idempotent): ffmpeg stopped, the peer connection closed. */
  close(reason: string): void {
    this.end(reason)
  }

  private end(reason: string): void {
    if (this.endReason !== null) return
    this.endReason = reason
    for (const timer of this.timers) clearTimeout(timer)
    this.ffmpeg?.stop()
    this.closed = this.pc.close().catch(() => {})
    this.sender.close()
    this.endWith(reason)
  }
}
