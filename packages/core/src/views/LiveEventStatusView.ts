/**
 * Seed 003's live-event `getStatus` body for a livestream.
 */
import type { Ingest } from "../ingest/IngestState.ts"
import { type IngestProtocol, protocolOf, type Rendition } from "../ingest/IngestValues.ts"
import type { Livestream } from "../livestream/LivestreamState.ts"
import type { Session } from "../session/SessionState.ts"
import type { LiveEventStatusRecord, StreamHealthRecord } from "./SeedRecords.ts"
import { MANIFEST_NOT_AVAILABLE } from "./SeedRecords.ts"

export interface LiveEventStatusInput {
  readonly livestream: Livestream
  /** The current session, if one is invoked or open. */
  readonly session: Session | null
  /** The publisher connected to it, if any. */
  readonly ingest: Ingest | null
  /** False while the media server is not accepting publishers: the event is still starting. */
  readonly mediaReady: boolean
}

const epochSeconds = (at: number): number => Math.floor(at / 1000)

/** The protocol as `protocolType` names it. */
const PROTOCOL_TYPES: Readonly<Record<IngestProtocol, StreamHealthRecord["protocolType"]>> = {
  rtmp: "RTMP",
  rtmps: "RTMP",
  webrtc: "WebRTC",
  srt: "SRT"
}

const sourceHealth = (livestream: Livestream, session: Session | null, ingest: Ingest): StreamHealthRecord => {
  const health = ingest.health
  const samples = ingest.totals.samples
  const average = (total: number) => (samples === 0 ? 0 : total / samples)
  const videoBitrate = health?.videoBitrate ?? 0
  const audioBitrate = health?.audioBitrate ?? 0
  return {
    name: livestream.id,
    publishEpochTime: String(epochSeconds(ingest.requestedAt)),
    bandwidth: String(Math.round(videoBitrate + audioBitrate)),
    videoResolution: `${health?.width ?? 0}x${health?.height ?? 0}`,
    videoCodecId: health?.videoCodecId ?? "",
    audioCodecId: health?.audioCodecId ?? "",
    protocolType: PROTOCOL_TYPES[protocolOf(ingest)],
    sourceUrl: null,
    // The stream is named by the livestream id: the key is a secret and never leaves the ingest record.
    streamName: livestream.id,
    publisherIp: ingest.publisher.ip,
    publisherPort: ingest.publisher.port,
    lastSourceConnectionTime: epochSeconds(ingest.requestedAt),
    lastSourceDisconnectionTime: session?.lastDisconnectedAt == null ? -1 : epochSeconds(session.lastDisconnectedAt),
    sourceConnectionsCount: session?.connections ?? 1,
    isSourceOnline: ingest.disconnectedAt === null,
    isBlocked: livestream.disabled !== null,
    videoBitrate,
    audioBitrate,
    videoFps: health?.videoFps ?? 0,
    lastBitrateUpdate: ingest.lastSampleAt === null ? 0 : epochSeconds(ingest.lastSampleAt),
    avgVideoBitrate: average(ingest.totals.videoBitrate),
    avgAudioBitrate: average(ingest.totals.audioBitrate),
    avgVideoFps: average(ingest.totals.videoFps)
  }
}

const renditionHealth = (source: StreamHealthRecord, rendition: Rendition): StreamHealthRecord => ({
  ...source,
  name: rendition.name,
  streamName: rendition.name,
  bandwidth: String(Math.round(rendition.bandwidth)),
  videoResolution: `${rendition.width}x${rendition.height}`,
  videoCodecId: rendition.videoCodecId,
  audioCodecId: rendition.audioCodecId,
  videoBitrate: 0,
  audioBitrate: 0,
  videoFps: 0,
  avgVideoBitrate: 0,
  avgAudioBitrate: 0,
  avgVideoFps: 0
})

const healthDescriptions = (input: LiveEventStatusInput): ReadonlyArray<string> => {
  const { livestream, session, ingest } = input
  if (livestream.broadcast._tag !== "Connected" || ingest === null || ingest.id !== livestream.broadcast.ingestId) {
    return []
  }
  if (ingest.manifestAvailableAt === null) return [MANIFEST_NOT_AVAILABLE]
  const source = sourceHealth(livestream, session, ingest)
  const renditions = ingest.health?.renditions ?? []
  return renditions.length === 0
    ? [JSON.stringify(source)]
    : [JSON.stringify(source), JSON.stringify(renditions.map((rendition) => renditionHealth(source, rendition)))]
}

/**
 * Stopped while the livestream cannot stream (disabled or deleted); Starting while the media server is
 * not ready; Running otherwise, with health descriptions from the connected publisher.
 */
export const liveEventStatus = (input: LiveEventStatusInput): LiveEventStatusRecord => {
  const { livestream, mediaReady } = input
  const stopped = livestream.deleted || (livestream.disabled !== null && livestream.broadcast._tag === "Idle")
  const [state, extendedState] = stopped
    ? (["Stopped", "Stopped"] as const)
    : !mediaReady
      ? (["Stopped", "Starting"] as const)
      : (["Running", "Running"] as const)
  return { value: [{ state, extendedState, healthDescriptions: stopped ? [] : healthDescriptions(input) }] }
}
