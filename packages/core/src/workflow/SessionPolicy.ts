/**
 * The policy that keeps sessions in step with their livestream: every broadcast event of a livestream
 * becomes the matching session command.
 */
import type { LivestreamEvent } from "../livestream/LivestreamEvent.ts"
import type { Livestream } from "../livestream/LivestreamState.ts"
import type { SessionCommand } from "../session/SessionCommand.ts"
import type { Timestamp } from "../Time.ts"

/** The session command that mirrors a livestream's broadcast event, if it has one. */
export const sessionCommandFor = (
  livestream: Livestream,
  event: LivestreamEvent,
  at: Timestamp
): SessionCommand | null => {
  switch (event._tag) {
    case "BroadcastInvoked":
      return {
        _tag: "InvokeSession",
        sessionId: event.sessionId,
        at: event.at,
        livestreamId: livestream.id,
        accountId: livestream.accountId,
        appId: livestream.appId
      }
    case "PublisherConnected":
      return { _tag: "ConnectMedia", sessionId: event.sessionId, at: event.at, ingestId: event.ingestId }
    case "PublisherDisconnected":
      return { _tag: "DisconnectMedia", sessionId: event.sessionId, at: event.at }
    case "BroadcastEnded":
      return {
        _tag: "StopSession",
        sessionId: event.sessionId,
        at,
        endedAt: event.at,
        reason: event.reason,
        errMessage: event.errMessage
      }
    default:
      return null
  }
}
