/**
 * What a WHIP offer may be, what a WHIP answer agreed to, and the SDP that tells ffmpeg how to read the
 * media OnAir forwards to it. The answer keeps the offer's payload types, so the forwarded RTP packets are
 * read with the numbers they carry. Pure: text in, text out.
 */

/** An SDP's media sections (`m=` and the lines under it), without its session part. */
const mediaSections = (sdp: string): Array<string> =>
  sdp.split(/\r?\n(?=m=)/).filter((section) => section.startsWith("m="))

/** The largest offer read: a browser's offer for one video and one audio section is 4–8 KiB. */
export const MAX_OFFER_BYTES = 64 * 1024

/**
 * What is wrong with `offer`, or null when it has the shape the bridge (WHIP, `send`) or a viewer (WHEP,
 * `receive`) takes: an SDP with at most one video and one audio section (one of each is forwarded), no
 * other kind of section, and a video section that offers H.264. Checked on the text before anything is decided or any socket is opened: every
 * section would otherwise cost an ICE transport and its UDP sockets.
 */
export const offerProblem = (offer: string, direction: "send" | "receive" = "send"): string | null => {
  if (!offer.startsWith("v=0")) return "offer: not an SDP offer (it starts with v=0)"
  const sections = mediaSections(offer)
  const kinds = sections.map((section) => /^m=(\S*)/.exec(section)?.[1] ?? "")
  const other = kinds.find((kind) => kind !== "video" && kind !== "audio")
  if (other !== undefined)
    return `offer: a section of kind "${other}" (this server takes one video and one audio section)`
  const videos = sections.filter((_, index) => kinds[index] === "video")
  if (videos.length > 1 || kinds.filter((kind) => kind === "audio").length > 1) {
    return `offer: ${videos.length} video and ${kinds.length - videos.length} audio sections (this server takes at most one of each)`
  }
  if (videos.length === 0 || !/^a=rtpmap:\d+ H264\/90000\s*$/im.test(videos[0]!)) {
    return `offer: it must ${direction} H.264 video (packetization-mode 1); Opus audio is optional`
  }
  return null
}

export interface NegotiatedCodec {
  readonly payloadType: number
  /** `a=fmtp` parameters as agreed (H.264's packetization mode and profile), or empty. */
  readonly parameters: string
}

export interface Negotiated {
  readonly video: NegotiatedCodec | null
  readonly audio: NegotiatedCodec | null
}

/** The answer's accepted H.264 video and Opus audio (a section answered with port 0 was refused). */
export const negotiated = (answer: string): Negotiated => {
  const sections = mediaSections(answer)
  const find = (kind: "video" | "audio", codec: RegExp): NegotiatedCodec | null => {
    for (const section of sections) {
      const [media, port] = section.split(/\s+/, 3)
      if (media !== `m=${kind}` || port === "0") continue
      const lines = section.split(/\r?\n/)
      for (const line of lines) {
        const rtpmap = /^a=rtpmap:(\d+) (.+)$/.exec(line.trim())
        if (rtpmap === null || !codec.test(rtpmap[2]!)) continue
        const payloadType = Number(rtpmap[1])
        const fmtp = lines.map((text) => text.trim()).find((text) => text.startsWith(`a=fmtp:${payloadType} `))
        return { payloadType, parameters: fmtp === undefined ? "" : fmtp.slice(`a=fmtp:${payloadType} `.length) }
      }
    }
    return null
  }
  return { video: find("video", /^H264\/90000$/i), audio: find("audio", /^opus\/48000(\/2)?$/i) }
}

/** The ports ffmpeg reads each stream's RTP on (RTCP on the port after). */
export interface ReadPorts {
  readonly video: number
  readonly audio: number
}

/** ffmpeg's SDP for the agreed streams, read on loopback. */
export const ffmpegSdp = (codecs: Negotiated, ports: ReadPorts): string => {
  const lines = ["v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=OnAir WHIP", "c=IN IP4 127.0.0.1", "t=0 0"]
  if (codecs.video !== null) {
    const { payloadType, parameters } = codecs.video
    lines.push(`m=video ${ports.video} RTP/AVP ${payloadType}`, `a=rtpmap:${payloadType} H264/90000`)
    if (parameters !== "") lines.push(`a=fmtp:${payloadType} ${parameters}`)
  }
  if (codecs.audio !== null) {
    const { payloadType } = codecs.audio
    lines.push(`m=audio ${ports.audio} RTP/AVP ${payloadType}`, `a=rtpmap:${payloadType} opus/48000/2`)
  }
  return `${lines.join("\n")}\n`
}
