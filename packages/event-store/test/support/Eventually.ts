/**
 * Waiting for a condition inside an Effect test: `probe` runs until it yields something other than
 * undefined, 10 ms apart, and the wait fails after `timeout` saying what it waited for.
 */
import { Data, Duration, Effect } from "effect"

export class NeverHappened extends Data.TaggedError("NeverHappened")<{
  readonly what: string
  readonly within: string
}> {
  override get message() {
    return `${this.what} did not happen within ${this.within}`
  }
}

export const eventually = <A, E, R>(
  what: string,
  probe: Effect.Effect<A | undefined, E, R>,
  timeout: Duration.Input = "30 seconds"
): Effect.Effect<A, E | NeverHappened, R> =>
  Effect.gen(function* () {
    for (;;) {
      const value = yield* probe
      if (value !== undefined) return value
      yield* Effect.sleep("10 millis")
    }
  }).pipe(
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () => Effect.fail(new NeverHappened({ what, within: Duration.format(Duration.fromInputUnsafe(timeout)) }))
    })
  )
