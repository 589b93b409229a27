/**
 * Deciding again when another writer moved a stream first: the policy every command path shares.
 */
import { CommandConflict, WrongExpectedVersion } from "@onair/core"
import { Duration, Effect, Schedule } from "effect"

// The error is the core's (ports answer it too); the command path that gives it up is here.
export { CommandConflict }

export interface RetryOptions {
  /** Attempts in all, the first included; default 6. */
  readonly maxAttempts?: number
  /** First pause before a retry, doubling each time, with jitter; default 2 ms. */
  readonly retryBase?: Duration.Input
}

/** Runs `attempt` again on `WrongExpectedVersion`, then gives up with `CommandConflict`. */
export const retryOnConflict = (options?: RetryOptions) => {
  const maxAttempts = Math.max(1, options?.maxAttempts ?? 6)
  const retryBase = options?.retryBase ?? Duration.millis(2)
  return <A, E, R>(
    attempt: Effect.Effect<A, E | WrongExpectedVersion, R>
  ): Effect.Effect<A, Exclude<E, WrongExpectedVersion> | CommandConflict, R> =>
    attempt.pipe(
      Effect.retry({
        while: (error) => error instanceof WrongExpectedVersion,
        schedule: Schedule.exponential(retryBase).pipe(Schedule.jittered),
        times: maxAttempts - 1
      }),
      Effect.catchIf(
        (error): error is WrongExpectedVersion => error instanceof WrongExpectedVersion,
        (error) => Effect.fail(new CommandConflict({ stream: error.stream, attempts: maxAttempts }))
      )
    ) as Effect.Effect<A, Exclude<E, WrongExpectedVersion> | CommandConflict, R>
}
