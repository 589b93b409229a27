/**
 * A background loop that survives its database going away: it runs `round` for ever, and between rounds
 * does what `then` says with the round's result. While rounds fail it pauses longer and longer (from
 * `pause`, doubling, up to `maxPause`) and says so once per outage, and once again when a round succeeds.
 */
import { Duration, Effect } from "effect"

export interface BackingOffLoop<A, E, R> {
  /** One round of work. */
  readonly round: Effect.Effect<A, E, R>
  /** What to do after a successful round (wait for the next look, or go on at once). */
  readonly then: (result: A) => Effect.Effect<void>
  /** The first pause after a failed round; it doubles with each failure. */
  readonly pause: Duration.Duration
  readonly maxPause: Duration.Duration
  /** What the log says when rounds start failing, and when they work again. */
  readonly failing: (error: E) => string
  readonly recovered: string
}

export const backingOffLoop = <A, E, R>(loop: BackingOffLoop<A, E, R>): Effect.Effect<never, never, R> => {
  let failures = 0
  return Effect.forever(
    loop.round.pipe(
      Effect.matchEffect({
        onSuccess: (result) => {
          const recovered = failures > 0
          failures = 0
          return Effect.andThen(recovered ? Effect.logInfo(loop.recovered) : Effect.void, loop.then(result))
        },
        onFailure: (error) => {
          failures++
          const pause = Math.min(
            Duration.toMillis(loop.maxPause),
            Duration.toMillis(loop.pause) * 2 ** Math.min(failures, 16)
          )
          return Effect.andThen(
            failures === 1 ? Effect.logWarning(loop.failing(error)) : Effect.void,
            Effect.sleep(Duration.millis(pause))
          )
        }
      })
    )
  )
}
