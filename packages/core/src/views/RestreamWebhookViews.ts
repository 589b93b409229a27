/**
 * The webhook seed's beam events (seed 004, "RTMP streaming") for restream relays, per target and session:
 *
 * - `beam.started.success` when the relay first reaches its target in a session;
 * - `beam.stopped.success` when a relay that had started stops, with its `duration` (from its start) and
 *   `reason` (`session ended`, `stopped by the owner`, `target deleted`);
 * - `beam.failure` when it gives up, with the reason of its last attempt.
 *
 * `beam_id` and `job_id` are the target's id; `rtmp` names the target's URL (never its key).
 */
import type { LivestreamId, SessionId } from "../Ids.ts"
import type { Livestream } from "../livestream/LivestreamState.ts"
import type { RestreamEvent } from "../restream/RestreamEvent.ts"
import type { RestreamTarget } from "../restream/RestreamState.ts"
import type { Session } from "../session/SessionState.ts"
import { livestreamMessage, seedTime, type WebhookMessage } from "./WebhookViews.ts"

/** The state beam messages read, as of just after the change. */
export interface RestreamWebhookWorld {
  readonly livestream: (id: LivestreamId) => Livestream | undefined
  readonly session: (id: SessionId) => Session | undefined
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
  const beam = (sessionId: SessionId, state: string) => {
    const session = world.session(sessionId)
    return {
      beam_id: after.id,
      job_id: after.id,
      session_id: sessionId,
      stream_id: sessionId,
      recording_enabled: false,
      state_name: state,
      state_timestamp: seedTime(event.at),
      rtmp: [{ url: after.url }],
      session_started_at: seedTime(session?.startedAt ?? event.at)
    }
  }
  switch (event._tag) {
    case "RelayLive":
      // Once per session: a relay that drops and comes back continues the same beam.
      return before?.liveSince === null && after.liveSince === event.at
        ? [livestreamMessage(livestream, "beam.started.success", event.at, beam(event.sessionId, "started"))]
        : []
    case "RelayStopped": {
      const since = before?.liveSince ?? null
      if (since === null) return []
      return [
        livestreamMessage(livestream, "beam.stopped.success", event.at, {
          ...beam(event.sessionId, "stopped"),
          duration: Math.max(0, Math.floor((event.at - since) / 1000)),
          reason: event.reason
        })
      ]
    }
    case "RelayFailed":
      return [
        livestreamMessage(livestream, "beam.failure", event.at, {
          ...beam(event.sessionId, "failed"),
          error_message: event.reason,
          error_type: event.reason,
          ...(before?.liveSince === null || before === null
            ? {}
            : { duration: Math.max(0, Math.floor((event.at - before.liveSince) / 1000)) })
        })
      ]
    default:
      return []
  }
}
