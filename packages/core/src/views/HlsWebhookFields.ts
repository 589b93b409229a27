/**
 * What the webhook seed's `hls.*` and `beam.*` events say of a session's stream, for every livestream:
 * the seed's beam is OnAir's session (`job_id`), its composer when a meeting's page is composed
 * (`beam_id`, `meeting_url`, the page's size), and the seed's stop reasons and error types mapped from
 * OnAir's finer ones, which `onair_reason` keeps where they differ (docs/webhooks.md).
 */
import type { Ingest } from "../ingest/IngestState.ts"
import type { IngestId } from "../Ids.ts"
import type { Livestream } from "../livestream/LivestreamState.ts"
import { isErrorReason } from "../session/SessionEndReason.ts"
import type { Session } from "../session/SessionState.ts"
import type { Timestamp } from "../Time.ts"
import { composerErrorType, composerStartDelay } from "./ComposerWebhookViews.ts"
import { seedTime, wholeSeconds } from "./SeedTime.ts"

/** The seed's `error_type` of a session that failed (`hls.failure`, `beam.failure`), null when it did not. */
export const seedErrorType = (
  livestream: Livestream,
  session: Session
): "INTERNAL_ERROR" | "MAX_RETRIES_REACHED" | null => {
  if (livestream.composer !== null) return composerErrorType(session)
  return session.endReason !== null && isErrorReason(session.endReason) ? "INTERNAL_ERROR" : null
}

/**
 * The seed's stop reason of a session's stream (`hls.stopped.success`, `beam.stopped.success`):
 * `failure: <error_type>`, `max duration reached`, `room ended`, `last peer left`, else `client request`
 * (the encoder or the API stopped it).
 */
export const seedStopReason = (livestream: Livestream, session: Session): string => {
  const failed = seedErrorType(livestream, session)
  if (failed !== null) return `failure: ${failed}`
  switch (session.endReason) {
    case "maximum duration reached":
      return "max duration reached"
    case "room ended":
    case "last peer left":
      return session.endReason
    default:
      return "client request"
  }
}

/** OnAir's own reason beside the seed's, where it says more. */
export const finerReason = (seed: string, onair: string | null | undefined): { onair_reason?: string } =>
  onair === null || onair === undefined || onair === seed ? {} : { onair_reason: onair }

/** The state the HLS fields read. */
export interface HlsWorld {
  readonly ingest: (id: IngestId) => Ingest | undefined
}

/**
 * The seed's fields of every `hls.*` event of a session. `state`: the seed's `HLSStarted`, `HLSStopped`,
 * `HLSFailed`; `hlsStartedAt`: when its playlist first played. `start_delay` is a composer's seconds from
 * the start being asked to its first frame, an encoder's from its first frame to the first playlist.
 */
export const hlsFields = (
  world: HlsWorld,
  livestream: Livestream,
  session: Session,
  state: "HLSStarted" | "HLSStopped" | "HLSFailed",
  at: Timestamp,
  hlsStartedAt: Timestamp | undefined
) => {
  const composer = livestream.composer
  const health = session.ingestId === null ? null : (world.ingest(session.ingestId)?.health ?? null)
  const startDelay =
    session.startedAt === null
      ? null
      : composer !== null
        ? composerStartDelay(session, session.startedAt)
        : hlsStartedAt === undefined
          ? null
          : wholeSeconds(session.startedAt, hlsStartedAt)
  return {
    beam_id: composer === null ? null : livestream.id,
    job_id: session.id,
    recording_single_file_per_layer_enabled: false,
    recording_vod_playlist_enabled: livestream.record,
    peer_id: null,
    session_id: session.id,
    stream_id: session.id,
    meeting_url: composer?.meetingUrl ?? null,
    // The seed lists it for the start alone.
    ...(state === "HLSStarted" ? { start_delay: startDelay } : {}),
    state_name: state,
    state_timestamp: seedTime(at),
    max_width: composer?.width ?? health?.width ?? null,
    max_height: composer?.height ?? health?.height ?? null,
    session_started_at: seedTime(session.startedAt ?? session.invokedAt)
  }
}
