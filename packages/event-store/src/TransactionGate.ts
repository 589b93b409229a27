/**
 * Readers waiting for something to reach a transaction of the log (a projection's checkpoint, a follower
 * of the log): `advance` moves it forward and lets through everyone it has reached; a reader that gives
 * up (an interrupted wait) stops counting as waiting.
 */
import { Deferred, Effect, Exit } from "effect"

export interface TransactionGate {
  /** The transaction reached so far. */
  readonly reached: () => number
  /** Whether anyone waits now. */
  readonly waiting: () => boolean
  readonly advance: (transaction: number) => void
  /** Resolves once the gate has reached `transaction`. */
  readonly await: (transaction: number) => Effect.Effect<void>
}

interface Waiter {
  readonly transaction: number
  readonly done: Deferred.Deferred<void>
}

export const make = (start = 0, onWait?: () => Effect.Effect<void>): TransactionGate => {
  let reached = start
  let waiters: Array<Waiter> = []
  return {
    reached: () => reached,
    waiting: () => waiters.length > 0,
    advance: (transaction) => {
      if (transaction <= reached) return
      reached = transaction
      const remaining: Array<Waiter> = []
      for (const waiter of waiters) {
        if (waiter.transaction <= reached) Deferred.doneUnsafe(waiter.done, Exit.void)
        else remaining.push(waiter)
      }
      waiters = remaining
    },
    await: (transaction) =>
      Effect.suspend(() => {
        if (transaction <= reached) return Effect.void
        return Effect.flatMap(Deferred.make<void>(), (done) => {
          waiters.push({ transaction, done })
          const wait = Effect.ensuring(
            Deferred.await(done),
            Effect.sync(() => {
              waiters = waiters.filter((waiter) => waiter.done !== done)
            })
          )
          return onWait === undefined ? wait : Effect.andThen(onWait(), wait)
        })
      })
  }
}
