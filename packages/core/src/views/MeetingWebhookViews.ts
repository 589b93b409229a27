/**
 * The webhook seed's meeting events (seed 004) for a meeting's changes: its sessions
 * (`session.open.success`, `session.close.success`), its participants (`peer.join.success`,
 * `peer.leave.success`, with what the engine said of each as it joined and why it left), and the engine's
 * events OnAir only tells the app of (`room.end.*`, `role.change.*`, `peer.*.failure`), forwarded as
 * received with every field the seed lists present.
 */
import type { ParticipantId } from "../Ids.ts"
import type { ParticipantProfile } from "../meeting/MeetingValues.ts"
import { seedFieldNames } from "../webhook/SeedWebhookConformance.ts"
import type { Change } from "../workflow/Change.ts"
import { seedTime, wholeSeconds } from "./SeedTime.ts"
import type { WebhookEventType, WebhookMessage, WebhookWorld } from "./WebhookViews.ts"

/** What the seed's peer events say of a participant: what the engine told of it as it joined. */
const peerFields = (participantId: ParticipantId, profile: ParticipantProfile | null) => ({
  peer_id: participantId,
  user_id: profile?.userId ?? participantId,
  user_name: profile?.name ?? null,
  user_data: profile?.data ?? null,
  role: profile?.role ?? null,
  type: profile?.type ?? "regular"
})

export const meetingMessages = (
  world: WebhookWorld,
  change: Extract<Change, { kind: "meeting" }>
): ReadonlyArray<WebhookMessage> => {
  const event = change.event
  const meeting = world.meeting(event.meetingId)
  if (meeting === undefined) return []
  const message = (type: WebhookEventType, data: Record<string, unknown>): WebhookMessage => ({
    type,
    accountId: meeting.accountId,
    appId: meeting.appId,
    subject: meeting.id,
    at: event.at,
    data: { room_id: meeting.id, room_name: meeting.title ?? "", template_id: meeting.appId, ...data }
  })
  switch (event._tag) {
    case "MeetingSessionOpened":
      return [
        message("session.open.success", {
          session_id: event.meetingSessionId,
          session_started_at: seedTime(event.at)
        })
      ]
    case "MeetingSessionClosed":
      return [
        message("session.close.success", {
          session_id: event.meetingSessionId,
          session_duration: wholeSeconds(event.openedAt, event.at),
          session_started_at: seedTime(event.openedAt),
          session_stopped_at: seedTime(event.at)
        })
      ]
    case "ParticipantJoined":
      return [
        message("peer.join.success", {
          session_id: event.meetingSessionId,
          ...peerFields(event.participantId, event.profile ?? null),
          joined_at: seedTime(event.at),
          session_started_at: seedTime(meeting.session?.openedAt ?? event.at)
        })
      ]
    case "ParticipantLeft": {
      const joined = world.joined(meeting.id, event.participantId)
      const joinedAt = joined?.at ?? event.at
      return [
        message("peer.leave.success", {
          session_id: event.meetingSessionId,
          ...peerFields(event.participantId, joined?.profile ?? null),
          joined_at: seedTime(joinedAt),
          left_at: seedTime(event.at),
          duration: wholeSeconds(joinedAt, event.at),
          reason: event.reason ?? "client request",
          message: event.message ?? null,
          session_started_at: seedTime(meeting.session?.openedAt ?? joinedAt)
        })
      ]
    }
    case "EngineEventForwarded": {
      // As received (the seed's fields alone: the decider kept no other), each field the seed lists for it
      // present (null when the engine left it out), the ids OnAir's.
      const { type, data } = event.forwarded
      return [
        message(type, {
          ...Object.fromEntries(seedFieldNames(type).map((name) => [name, null])),
          ...data,
          room_id: meeting.id,
          room_name: typeof data["room_name"] === "string" ? data["room_name"] : (meeting.title ?? ""),
          template_id: meeting.appId
        })
      ]
    }
    default:
      return []
  }
}
