/**
 * Livestream and session records of the livestreams seed (001/002), from state.
 */
import type { Livestream } from "../livestream/LivestreamState.ts"
import { status } from "../livestream/LivestreamState.ts"
import type { Session } from "../session/SessionState.ts"
import { ingestMillisAsOf } from "../session/SessionState.ts"
import { type Timestamp, toIso } from "../Time.ts"
import { ingestServer, playbackUrl, type PublicUrls, whepUrl } from "./PublicUrls.ts"
import type {
  ActiveSessionRecord,
  ComposerRecord,
  CreatedLivestreamRecord,
  LivestreamRecord,
  MeetingLivestreamStartedRecord,
  SessionRecord
} from "./SeedRecords.ts"

/** A `realtime` livestream's WebRTC playback address; nothing for the other modes. */
const realtime = (livestream: Livestream, urls: PublicUrls): { readonly whep_url?: string } =>
  livestream.latencyMode === "realtime" ? { whep_url: whepUrl(urls, livestream.id) } : {}

/** A composed livestream's composer, as its broadcast says it is doing; nothing for the others. */
const composed = (livestream: Livestream): { readonly composer?: ComposerRecord } => {
  const composer = livestream.composer
  if (composer === null) return {}
  const state = ({ Idle: "stopped", Invoked: "starting", Connected: "running", Reconnecting: "reconnecting" } as const)[
    livestream.broadcast._tag
  ]
  return { composer: { meeting_url: composer.meetingUrl, width: composer.width, height: composer.height, state } }
}

export const livestreamRecord = (livestream: Livestream, urls: PublicUrls): LivestreamRecord => ({
  id: livestream.id,
  created_at: toIso(livestream.createdAt),
  disabled: livestream.disabled === null ? "" : "disabled",
  ingest_server: ingestServer(urls),
  meeting_id: livestream.meetingId,
  name: livestream.name,
  playback_url: playbackUrl(urls, livestream.id),
  status: status(livestream),
  stream_key: livestream.streamKey,
  updated_at: toIso(livestream.updatedAt),
  latency_mode: livestream.latencyMode,
  dvr_window_seconds: livestream.dvrWindowSeconds,
  ...realtime(livestream, urls),
  ...composed(livestream),
  previous_key_expires_at: livestream.previousKey === null ? null : toIso(livestream.previousKey.expiresAt)
})

export const createdLivestreamRecord = (livestream: Livestream, urls: PublicUrls): CreatedLivestreamRecord => ({
  id: livestream.id,
  disabled: livestream.disabled !== null,
  ingest_server: ingestServer(urls),
  meeting_id: livestream.meetingId,
  name: livestream.name,
  playback_url: playbackUrl(urls, livestream.id),
  status: status(livestream),
  stream_key: livestream.streamKey,
  latency_mode: livestream.latencyMode,
  dvr_window_seconds: livestream.dvrWindowSeconds,
  ...realtime(livestream, urls)
})

export const meetingLivestreamStartedRecord = (
  livestream: Livestream,
  urls: PublicUrls
): MeetingLivestreamStartedRecord => ({
  id: livestream.id,
  ingest_server: ingestServer(urls),
  playback_url: playbackUrl(urls, livestream.id),
  status: status(livestream),
  stream_key: livestream.streamKey
})

/** Whole seconds with media connected, counting an open connection up to `asOf`. */
export const ingestSeconds = (session: Session, asOf: Timestamp): number =>
  Math.floor(ingestMillisAsOf(session, asOf) / 1000)

export const viewerSeconds = (session: Session): number => Math.floor(session.viewerSeconds)

export const sessionRecord = (session: Session, asOf: Timestamp): SessionRecord => ({
  id: session.id,
  created_at: toIso(session.invokedAt),
  err_message: session.errMessage,
  ingest_seconds: ingestSeconds(session, asOf),
  invoked_time: toIso(session.invokedAt),
  livestream_id: session.livestreamId,
  started_time: session.startedAt === null ? null : toIso(session.startedAt),
  stopped_time: session.stoppedAt === null ? null : toIso(session.stoppedAt),
  updated_at: toIso(session.updatedAt),
  viewer_seconds: viewerSeconds(session)
})

export const activeSessionRecord = (session: Session, asOf: Timestamp): ActiveSessionRecord => {
  const record = sessionRecord(session, asOf)
  return { ...record, ingest_seconds: String(record.ingest_seconds), viewer_seconds: String(record.viewer_seconds) }
}
