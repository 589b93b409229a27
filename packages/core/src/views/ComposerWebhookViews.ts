/**
 * The webhook seed's beam events for a meeting livestream's composer (seed 004: the beam that joins the
 * meeting's page and streams it), per session:
 *
 * - `beam.started.success` when the composer's broadcast first has media, with `start_delay`: seconds from
 *   the start being asked (the broadcast invoked) to its first frame out;
 * - `beam.stopped.success` when the session ends, with the seed's stop reason: `client request` (the API's
 *   stop, or the livestream disabled), `max duration reached`, `room ended` (its meeting's session closed or
 *   its room ended), `last peer left`, or `failure: <error_type>`;
 * - `beam.failure` before it when the composer failed: `MAX_RETRIES_REACHED` for a page that never loaded,
 *   `INTERNAL_ERROR` for the rest (the composer gone for good, no room on its node).
 *
 * `beam_id` is the livestream's (its composer's), `job_id` the session's. What OnAir cannot know of a beam
 * (`peer_id`: the composer's peer is the engine's) is null; `metadata_id` and `metadata_timestamp` are the
 * message's own (the outbox's).
 */
import type { Livestream } from "../livestream/LivestreamState.ts"
import type { SessionId } from "../Ids.ts"
import type { Composer } from "../livestream/LivestreamValues.ts"
import type { Session } from "../session/SessionState.ts"
import type { Timestamp } from "../Time.ts"
import { finerReason, seedStopReason } from "./HlsWebhookFields.ts"
import { seedTime, wholeSeconds } from "./SeedTime.ts"
import { livestreamMessage, type WebhookMessage } from "./WebhookViews.ts"

/**
 * The seed's (deprecated) `error_code` of each error type OnAir sends in `beam.failure` and `hls.failure`
 * (a refused ladder has a code of its own, 3).
 */
export const SEED_ERROR_CODES = { INTERNAL_ERROR: 1, MAX_RETRIES_REACHED: 2 } as const

/** The seed's `error_type` of a composer that failed, from its session's end, or null when it did not fail. */
export const composerErrorType = (session: Session): "MAX_RETRIES_REACHED" | "INTERNAL_ERROR" | null => {
  switch (session.endReason) {
    case "stopped by request":
    case "disabled":
    case "maximum duration reached":
    case "room ended":
    case "last peer left":
    case null:
      return null
    default:
      return session.errMessage?.startsWith("composer: MAX_RETRIES_REACHED") === true
        ? "MAX_RETRIES_REACHED"
        : "INTERNAL_ERROR"
  }
}

/** The seed's `start_delay`: whole seconds from the start being asked (invoked) to the first frame out. */
export const composerStartDelay = (session: Session, startedAt: Timestamp): number =>
  Math.max(0, Math.round((startedAt - session.invokedAt) / 1000))

/** What every event of a composed session says of its beam (what OnAir cannot know of one is null). */
export const composerFields = (livestream: Livestream, composer: Composer, sessionId: SessionId) => ({
  beam_id: livestream.id,
  job_id: sessionId,
  session_id: sessionId,
  peer_id: null,
  metadata_id: null,
  metadata_timestamp: null,
  meeting_url: composer.meetingUrl,
  max_width: composer.width,
  max_height: composer.height,
  rtmp: []
})

const beam = (livestream: Livestream, composer: Composer, session: Session, state: string, at: Timestamp) => ({
  ...composerFields(livestream, composer, session.id),
  recording_enabled: livestream.record,
  state_name: state,
  state_timestamp: seedTime(at),
  session_started_at: seedTime(session.startedAt ?? session.invokedAt)
})

/** `beam.started.success`, when a composed session first has media (`at`). */
export const composerStarted = (
  livestream: Livestream,
  session: Session,
  at: Timestamp
): ReadonlyArray<WebhookMessage> => {
  const composer = livestream.composer
  if (composer === null) return []
  return [
    livestreamMessage(livestream, "beam.started.success", at, {
      ...beam(livestream, composer, session, "Started", at),
      start_delay: composerStartDelay(session, at)
    })
  ]
}

/** `beam.failure` (when it failed) and `beam.stopped.success`, when a composed session ends (`at`). */
export const composerEnded = (
  livestream: Livestream,
  session: Session,
  at: Timestamp
): ReadonlyArray<WebhookMessage> => {
  const composer = livestream.composer
  if (composer === null) return []
  const failed = composerErrorType(session)
  const duration = session.startedAt === null ? 0 : wholeSeconds(session.startedAt, at)
  return [
    ...(failed === null
      ? []
      : [
          livestreamMessage(livestream, "beam.failure", at, {
            ...beam(livestream, composer, session, "Failed", at),
            error_code: SEED_ERROR_CODES[failed],
            error_type: failed,
            error_message: session.errMessage ?? session.endReason ?? "failure",
            duration
          })
        ]),
    livestreamMessage(livestream, "beam.stopped.success", at, {
      ...beam(livestream, composer, session, "Stopped", at),
      duration,
      reason: seedStopReason(livestream, session),
      ...finerReason(seedStopReason(livestream, session), session.endReason)
    })
  ]
}
