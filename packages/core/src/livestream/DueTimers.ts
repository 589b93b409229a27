/**
 * Which timers are due: for each livestream, at most one of its broadcast's timers whose time has come.
 * The worker fires these on a clock; the simulation fires them on its own. Pure: `at` is given.
 */
import type { Timestamp } from "../Time.ts"
import { addSeconds } from "../Time.ts"
import type { LivestreamCommand } from "./LivestreamCommand.ts"
import type { Livestream } from "./LivestreamState.ts"
import { EMPTY_MEETING_SECONDS } from "./LivestreamValues.ts"

export type TimerCommand = Extract<
  LivestreamCommand,
  { _tag: "ExpireReconnectWindow" | "ExpireStartTimeout" | "ReachMaximumDuration" | "ExpireEmptyMeeting" }
>

/** Every kind of timer, in the order `dueTimer` fires them when several are due. */
export const TIMER_KINDS: ReadonlyArray<TimerCommand["_tag"]> = [
  "ExpireReconnectWindow",
  "ExpireStartTimeout",
  "ReachMaximumDuration",
  "ExpireEmptyMeeting"
]

/** Whether a command or signal is one of the timers. */
export const isTimerCommand = <C extends { readonly _tag: string }>(command: C): command is Extract<C, TimerCommand> =>
  (TIMER_KINDS as ReadonlyArray<string>).includes(command._tag)

/** When the livestream's broadcast makes `timer` due, or undefined when its broadcast has no such timer. */
export const timerDueAt = (livestream: Livestream, timer: TimerCommand["_tag"]): Timestamp | undefined => {
  const b = livestream.broadcast
  switch (timer) {
    case "ExpireReconnectWindow":
      return b._tag === "Reconnecting" ? b.deadline : undefined
    case "ExpireStartTimeout":
      return b._tag === "Invoked" ? addSeconds(b.invokedAt, livestream.limits.startTimeoutSeconds) : undefined
    case "ReachMaximumDuration":
      return b._tag === "Connected" || b._tag === "Reconnecting"
        ? addSeconds(b.startedAt, livestream.limits.maxDurationSeconds)
        : undefined
    case "ExpireEmptyMeeting":
      return b._tag !== "Idle" && livestream.composer !== null && livestream.meetingEmptySince !== null
        ? addSeconds(livestream.meetingEmptySince, EMPTY_MEETING_SECONDS)
        : undefined
  }
}

/** When the livestream's next timer is due, or undefined when its broadcast has none. */
export const nextTimerAt = (livestream: Livestream): Timestamp | undefined => {
  if (livestream.deleted) return undefined
  let next: Timestamp | undefined
  for (const timer of TIMER_KINDS) {
    const due = timerDueAt(livestream, timer)
    if (due !== undefined && (next === undefined || due < next)) next = due
  }
  return next
}

/** The timer of this livestream that is due at `at`, if any (a window's end first, then the others). */
export const dueTimer = (livestream: Livestream, at: Timestamp): TimerCommand | undefined => {
  const b = livestream.broadcast
  if (livestream.deleted || b._tag === "Idle") return undefined
  for (const timer of TIMER_KINDS) {
    const due = timerDueAt(livestream, timer)
    if (due !== undefined && due <= at) return { _tag: timer, livestreamId: livestream.id, at, sessionId: b.sessionId }
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
