/**
 * Seed 000's ingest-session-status record of a livestream's current (or last) session.
 */
import type { Ingest } from "../ingest/IngestState.ts"
import { type IngestProtocol, protocolOf } from "../ingest/IngestValues.ts"
import type { Livestream } from "../livestream/LivestreamState.ts"
import type { SessionEndReason } from "../session/SessionEndReason.ts"
import type { Session } from "../session/SessionState.ts"
import { addSeconds, toEpochSeconds, toIso } from "../Time.ts"
import type { PublicUrls } from "./PublicUrls.ts"
import type { IngestSessionStatusRecord } from "./SeedRecords.ts"

/**
 * `streamEndedReason` is a number in seed 000; these are OnAir's codes, stable and documented in
 * docs/architecture.md.
 */
export const STREAM_ENDED_REASON_CODES: Readonly<Record<SessionEndReason, number>> = {
  "stream closed": 1,
  "reconnection window expired": 2,
  "publish error": 3,
  "internal error": 4,
  "stopped by request": 5,
  disabled: 6,
  "start timeout": 7,
  "maximum duration reached": 8,
  "room ended": 9,
  "last peer left": 10
}

export interface IngestSessionStatusInput {
  readonly livestream: Livestream
  /** The current session, or the last one when none is invoked or open. */
  readonly session: Session | null
  /** The publisher of the current session, if any. */
  readonly ingest: Ingest | null
  readonly urls: PublicUrls
  /** False while the media server is not accepting publishers (status "1", provisioning). */
  readonly mediaReady: boolean
}

const ingestStatus = ({ livestream, mediaReady }: IngestSessionStatusInput): IngestSessionStatusRecord["status"] => {
  if (livestream.deleted) return "0"
  switch (livestream.broadcast._tag) {
    case "Connected":
    case "Reconnecting":
      return "4"
    case "Invoked":
      return mediaReady ? "2" : "1"
    case "Idle": {
      const last = livestream.lastBroadcast
      if (last === null) return livestream.disabled !== null ? "0" : mediaReady ? "2" : "1"
      return last.reason === "start timeout" ? "3" : "5"
    }
  }
}

/** The seed's `encoderType`: it has WebRTC, and nothing for SRT. */
const ENCODER_TYPES: Readonly<Record<IngestProtocol, IngestSessionStatusRecord["encoderType"]>> = {
  rtmp: "rtmp",
  rtmps: "rtmp",
  webrtc: "webrtc",
  srt: "unknown"
}

export const ingestSessionStatus = (input: IngestSessionStatusInput): IngestSessionStatusRecord => {
  const { livestream, session, ingest, urls } = input
  const broadcast = livestream.broadcast
  const health = ingest?.health ?? null
  const protocol = ingest === null ? null : protocolOf(ingest)
  const size =
    health !== null && health.width > 0 ? { width: health.width, height: health.height } : livestream.videoConfig
  return {
    encoderType: ENCODER_TYPES[protocol ?? "rtmp"],
    endTime: session?.stoppedAt == null ? null : toEpochSeconds(session.stoppedAt),
    height: size?.height ?? null,
    isRtmpSession: protocol === null || protocol === "rtmp" || protocol === "rtmps",
    isScheduledPlayback: false,
    rtmpExpiresAt:
      broadcast._tag === "Invoked"
        ? toIso(addSeconds(broadcast.invokedAt, livestream.limits.startTimeoutSeconds))
        : null,
    rtmpLink: urls.rtmpServer,
    rtmpsLink: urls.rtmpsServer,
    scheduledStartTime: null,
    sessionId: session?.id ?? null,
    startTime: session?.startedAt == null ? null : toEpochSeconds(session.startedAt),
    status: ingestStatus(input),
    streamEndedReason: session?.endReason == null ? null : STREAM_ENDED_REASON_CODES[session.endReason],
    streamKey: livestream.streamKey,
    width: size?.width ?? null,
    protocol,
    renditionsRefused: ingest?.renditionsRefused ?? null
  }
}
