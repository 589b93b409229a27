/**
 * The webhook seed's beam events (seed 004, "RTMP streaming") for restream relays, per target and session:
 *
 * - `beam.started.success` when the relay first reaches its target in a session;
 * - `beam.stopped.success` when a relay that had started stops, with its `duration` (from its start), the
 *   seed's `client request` and OnAir's `onair_reason` (`session ended`, `stopped by the owner`, `target
 *   deleted`);
 * - `beam.failure` when it gives up: the seed's `MAX_RETRIES_REACHED`, the reason of its last attempt in
 *   `error_message` and `onair_error_type`.
 *
 * `beam_id` and `job_id` are the target's id; `rtmp` names the target's URL (never its key).
 */
import type { IngestId, LivestreamId, SessionId } from "../Ids.ts"
import type { Ingest } from "../ingest/IngestState.ts"
import type { Livestream } from "../livestream/LivestreamState.ts"
import type { RestreamEvent } from "../restream/RestreamEvent.ts"
import type { RestreamTarget } from "../restream/RestreamState.ts"
import type { Session } from "../session/SessionState.ts"
import { SEED_ERROR_CODES } from "./ComposerWebhookViews.ts"
import { seedTime, wholeSeconds } from "./SeedTime.ts"
import { livestreamMessage, type WebhookMessage } from "./WebhookViews.ts"

/** The state beam messages read, as of just after the change. */
export interface RestreamWebhookWorld {
  readonly livestream: (id: LivestreamId) => Livestream | undefined
  readonly session: (id: SessionId) => Session | undefined
  readonly ingest: (id: IngestId) => Ingest | undefined
}

/**
 * The webhook events one change of a restream target means: `before` is the target before it, `after`
 * after it.
 */
export const restreamMessages = (
  before: RestreamTarget | null,
  after: RestreamTarget,
  event: RestreamEvent,
  world: RestreamWebhookWorld
): ReadonlyArray<WebhookMessage> => {
  const livestream = world.livestream(after.livestreamId)
  if (livestream === undefined) return []
  const beam = (sessionId: SessionId, state: "Started" | "Stopped" | "Failed") => {
    const session = world.session(sessionId)
    const health = session?.ingestId == null ? null : (world.ingest(session.ingestId)?.health ?? null)
    return {
      beam_id: after.id,
      job_id: after.id,
      session_id: sessionId,
      stream_id: sessionId,
      // A relay is OnAir's own: no meeting page, no peer of the engine's.
      peer_id: null,
      meeting_url: null,
      recording_enabled: false,
      state_name: state,
      state_timestamp: seedTime(event.at),
      max_width: health?.width ?? null,
      max_height: health?.height ?? null,
      rtmp: [{ url: after.url }],
      session_started_at: seedTime(session?.startedAt ?? event.at),
      // The seed lists it for the start alone: seconds from the session's first frame to the relay reaching
      // its target.
      ...(state === "Started"
        ? { start_delay: Math.max(0, Math.round((event.at - (session?.startedAt ?? event.at)) / 1000)) }
        : {})
    }
  }
  switch (event._tag) {
    case "RelayLive":
      // Once per session: a relay that drops and comes back continues the same beam.
      return before?.liveSince === null && after.liveSince === event.at
        ? [livestreamMessage(livestream, "beam.started.success", event.at, beam(event.sessionId, "Started"))]
        : []
    case "RelayStopped": {
      const since = before?.liveSince ?? null
      if (since === null) return []
      return [
        livestreamMessage(livestream, "beam.stopped.success", event.at, {
          ...beam(event.sessionId, "Stopped"),
          duration: wholeSeconds(since, event.at),
          // The broadcast ended, its owner stopped it or deleted it: the seed's stop by request.
          reason: "client request",
          onair_reason: event.reason
        })
      ]
    }
    case "RelayFailed":
      return [
        livestreamMessage(livestream, "beam.failure", event.at, {
          ...beam(event.sessionId, "Failed"),
          // A relay fails when it gives up after its retries; its last attempt's reason is OnAir's.
          error_code: SEED_ERROR_CODES.MAX_RETRIES_REACHED,
          error_type: "MAX_RETRIES_REACHED",
          error_message: event.reason,
          onair_error_type: event.reason,
          ...(before?.liveSince === null || before === null
            ? { duration: 0 }
            : { duration: wholeSeconds(before.liveSince, event.at) })
        })
      ]
    default:
      return []
  }
}
