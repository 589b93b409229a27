/**
 * Which timers are due: for each livestream, at most one of its broadcast's timers whose time has come.
 * The worker fires these on a clock; the simulation fires them on its own. Pure: `at` is given.
 */
import type { Timestamp } from "../Time.ts"
import { addSeconds } from "../Time.ts"
import type { LivestreamCommand } from "./LivestreamCommand.ts"
import type { Livestream } from "./LivestreamState.ts"

export type TimerCommand = Extract<
  LivestreamCommand,
  { _tag: "ExpireReconnectWindow" | "ExpireStartTimeout" | "ReachMaximumDuration" }
>

/** The timer of this livestream that is due at `at`, if any. */
export const dueTimer = (livestream: Livestream, at: Timestamp): TimerCommand | undefined => {
  if (livestream.deleted) return undefined
  const b = livestream.broadcast
  const target = { livestreamId: livestream.id, at }
  if (b._tag === "Reconnecting" && b.deadline <= at) {
    return { _tag: "ExpireReconnectWindow", ...target, sessionId: b.sessionId }
  }
  if (b._tag === "Invoked" && addSeconds(b.invokedAt, livestream.limits.startTimeoutSeconds) <= at) {
    return { _tag: "ExpireStartTimeout", ...target, sessionId: b.sessionId }
  }
  if ((b._tag === "Connected" || b._tag === "Reconnecting") && addSeconds(b.startedAt, livestream.limits.maxDurationSeconds) <= at) {
    return { _tag: "ReachMaximumDuration", ...target, sessionId: b.sessionId }
  }
  return undefined
}

/** Every due timer among these livestreams. */
export const dueTimers = (livestreams: Iterable<Livestream | null>, at: Timestamp): ReadonlyArray<TimerCommand> => {
  const due: Array<TimerCommand> = []
  for (const livestream of livestreams) {
    if (livestream === null) continue
    const timer = dueTimer(livestream, at)
    if (timer !== undefined) due.push(timer)
  }
  return due
}
