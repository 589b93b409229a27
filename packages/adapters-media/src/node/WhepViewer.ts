/**
 * One WHEP viewer: a werift peer connection (the stack WHIP publishers use) that answers the player's offer
 * with H.264 video and Opus audio to send, and sends what the session's fan-out hands it. Nothing is
 * decoded or encoded for it: each packet is only renumbered for its stream and encrypted for its transport.
 * Keyframes come as the encoder makes them: a player's picture-loss requests cannot reach an RTMP encoder,
 * so a new viewer's picture starts at the source's next keyframe.
 *
 * The viewer ends once, with a reason, when its peer connection fails or closes, when it does not connect
 * within `CONNECT_MILLIS`, when the player ends it (`DELETE`), or when its source goes.
 */
import { RTCPeerConnection, RTCRtpCodecParameters, type RTCRtpTransceiver } from "werift"
import type { WebRtcSettings } from "./MediaSettings.ts"
import { UnusableOffer } from "./WhipBridge.ts"
import type { FanOutViewer } from "./WhepFanOut.ts"
import { negotiated } from "./WhipSdp.ts"

const CONNECT_MILLIS = 15_000

const FEEDBACK = [{ type: "nack" }, { type: "nack", parameter: "pli" }]

/**
 * The H.264 profiles a player may offer to receive, the common one first. The source's own profile is what
 * is sent whichever was agreed: browsers decode the stream's profile from its parameter sets.
 */
const VIDEO = ["42e01f", "42001f", "4d001f", "640c1f", "64001f"].map(
  (profile) =>
    new RTCRtpCodecParameters({
      mimeType: "video/H264",
      clockRate: 90_000,
      rtcpFeedback: FEEDBACK,
      parameters: `level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=${profile}`
    })
)
const AUDIO = new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48_000, channels: 2 })

export class WhepViewer {
  private endWith: (reason: string) => void = () => {}
  private endReason: string | null = null
  private readonly timers: Array<NodeJS.Timeout> = []
  /** Resolves with why the viewer ended, once. */
  readonly ended: Promise<string>
  /** Resolves once the peer connection has closed its ICE sockets (after the viewer ended). */
  closed: Promise<void> = Promise.resolve()
  /** The answer to the player's offer. */
  answer = ""
  /** When it connected (epoch ms), or null before. */
  connectedAt: number | null = null

  private readonly pc: RTCPeerConnection
  private readonly video: RTCRtpTransceiver
  private readonly audio: RTCRtpTransceiver

  private constructor(pc: RTCPeerConnection, video: RTCRtpTransceiver, audio: RTCRtpTransceiver) {
    this.pc = pc
    this.video = video
    this.audio = audio
    this.ended = new Promise((resolve) => (this.endWith = resolve))
    pc.connectionStateChange.subscribe((state) => {
      if (state === "connected" && this.connectedAt === null) this.connectedAt = Date.now()
      if (state === "failed" || state === "closed") this.end(`peer connection ${state}`)
    })
    this.timers.push(
      setTimeout(() => {
        if (pc.connectionState !== "connected") this.end("the peer connection did not connect in time")
      }, CONNECT_MILLIS)
    )
  }

  /** Answers `offer` (a player's offer to receive H.264, and Opus when it has audio). Fails with `UnusableOffer`. */
  static async open(offer: string, settings: WebRtcSettings): Promise<WhepViewer> {
    const pc = new RTCPeerConnection({
      codecs: { video: VIDEO, audio: [AUDIO] },
      icePortRange: [settings.udpPorts[0], settings.udpPorts[1]],
      iceAdditionalHostAddresses: [...settings.hostAddresses]
    })
    // Added before the offer is read, so its sections take these senders rather than new receivers.
    const video = pc.addTransceiver("video", { direction: "sendonly" })
    const audio = pc.addTransceiver("audio", { direction: "sendonly" })
    const viewer = new WhepViewer(pc, video, audio)
    try {
      await pc.setRemoteDescription({ type: "offer", sdp: offer })
      await pc.setLocalDescription(await pc.createAnswer())
    } catch (cause) {
      viewer.close("unusable offer")
      await viewer.closed
      throw new UnusableOffer(`offer: not an SDP offer this server can answer (${String(cause).slice(0, 200)})`)
    }
    viewer.answer = pc.localDescription?.sdp ?? ""
    if (negotiated(viewer.answer).video === null) {
      viewer.close("unusable offer")
      await viewer.closed
      throw new UnusableOffer("offer: it must receive H.264 video (packetization-mode 1); Opus audio is optional")
    }
    return viewer
  }

  /** What the fan-out hands this viewer. */
  readonly sink: FanOutViewer = {
    video: (packet) => void this.video.sender.sendRtp(packet).catch(() => {}),
    audio: (packet) => void this.audio.sender.sendRtp(packet).catch(() => {}),
    switched: () => {
      // werift numbers on from its last packet: the header it is given is not read.
      this.video.sender.replaceRTP({ sequenceNumber: 0, timestamp: 0 })
      this.audio.sender.replaceRTP({ sequenceNumber: 0, timestamp: 0 })
    },
    end: (reason) => this.end(reason)
  }

  /** Ends the viewer (idempotent): its peer connection closed. */
  close(reason: string): void {
    this.end(reason)
  }

  private end(reason: string): void {
    if (this.endReason !== null) return
    this.endReason = reason
    for (const timer of this.timers) clearTimeout(timer)
    this.closed = this.pc.close().catch(() => {})
    this.endWith(reason)
  }
}
