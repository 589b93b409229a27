/**
 * nginx-rtmp's `/stat` (rtmp_stat all) read into what OnAir reports as an ingest's health: one entry per
 * stream the publish application has, keyed by stream name (after OnAir's redirect: the session id).
 * The XML is nginx-rtmp's own, flat and regular, so a few patterns read it.
 */
import type { IngestHealth } from "@onair/core"
import { Effect } from "effect"
import { PUBLISH_APP } from "./NginxConfig.ts"

export interface StreamStat {
  readonly name: string
  /** The publishing client's id (nginx's `clientid`), or null while nobody publishes. */
  readonly publisherClientId: string | null
  /** How long the stream has been published, in milliseconds. */
  readonly timeMs: number
  readonly bytesIn: number
  readonly health: IngestHealth
}

const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]

const number = (xml: string, name: string): number => {
  const value = Number(tag(xml, name) ?? 0)
  return Number.isFinite(value) && value >= 0 ? value : 0
}

const blocks = (xml: string, name: string): Array<string> =>
  [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, "g"))].map((match) => match[1] ?? "")

const AVC_PROFILES: Record<string, number> = {
  Baseline: 66,
  Main: 77,
  Extended: 88,
  High: 100,
  High10: 110,
  High422: 122,
  High444: 244
}

const hex = (value: number) => value.toString(16).padStart(2, "0")

/** RFC 6381 id of an H.264 stream from stat's profile name, constraint flags and level ("3.1"). */
export const avcCodecId = (profile: string, compat: number, level: string): string => {
  const profileIdc = AVC_PROFILES[profile]
  const levelIdc = Math.round(Number(level) * 10)
  if (profileIdc === undefined || !Number.isFinite(levelIdc)) return "avc1"
  return `avc1.${hex(profileIdc)}${hex(compat & 0xff)}${hex(levelIdc & 0xff)}`
}

const AAC_OBJECT_TYPES: Record<string, number> = { Main: 1, LC: 2, SSR: 3, LTP: 4, SBR: 5 }

/** RFC 6381 id of an audio stream from stat's codec and profile: `mp4a.40.2` for AAC-LC. */
export const audioCodecId = (codec: string, profile: string): string => {
  if (codec === "AAC") return `mp4a.40.${AAC_OBJECT_TYPES[profile] ?? 2}`
  if (codec === "MP3") return "mp4a.40.34"
  return ""
}

/** One `<stream>` block of the publish application. */
const streamStat = (stream: string): StreamStat => {
  const publisher = blocks(stream, "client").find((client) => client.includes("<publishing/>"))
  const video = blocks(stream, "video")[0] ?? ""
  const audio = blocks(stream, "audio")[0] ?? ""
  const videoCodec = tag(video, "codec") ?? ""
  return {
    name: tag(stream, "name") ?? "",
    publisherClientId: publisher === undefined ? null : (tag(publisher, "id") ?? null),
    timeMs: number(stream, "time"),
    bytesIn: number(stream, "bytes_in"),
    health: {
      width: Math.min(number(video, "width"), 16_384),
      height: Math.min(number(video, "height"), 16_384),
      videoCodecId:
        videoCodec === "H264"
          ? avcCodecId(tag(video, "profile") ?? "", number(video, "compat"), tag(video, "level") ?? "")
          : "",
      audioCodecId: audioCodecId(tag(audio, "codec") ?? "", tag(audio, "profile") ?? ""),
      videoBitrate: number(stream, "bw_video"),
      audioBitrate: number(stream, "bw_audio"),
      videoFps: number(video, "frame_rate"),
      renditions: []
    }
  }
}

/** The publish application's streams in a stat document, over every ingest server (one per way in). */
export const parse = (xml: string): ReadonlyArray<StreamStat> =>
  blocks(xml, "application")
    .filter((application) => tag(application, "name") === PUBLISH_APP)
    .flatMap((application) => blocks(application, "stream").map(streamStat))

/** Reads `/stat` from nginx's control server. */
export const read = (controlUrl: string) =>
  Effect.tryPromise({
    try: (signal) => fetch(`${controlUrl}/stat`, { signal }).then((response) => response.text()),
    catch: (cause) => new Error(`nginx stat unreadable: ${String(cause)}`)
  }).pipe(Effect.timeout("2 seconds"), Effect.map(parse))
