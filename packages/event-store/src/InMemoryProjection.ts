/**
 * A read model kept in this process's memory: replayed from the start of the log when it starts, then
 * fed every append. A caller that has just written waits for its own transaction (`awaitTransaction`)
 * before reading, so what it wrote is what it reads.
 */
import { comparePositions, EventStore, EventStoreFailed, LOG_START, type Position, type StoredEvent } from "@onair/core"
import { Deferred, Duration, Effect, Exit, Result, Schedule, type Scope } from "effect"
import * as Subscription from "./Subscription.ts"

export interface InMemoryProjection<M> {
  /** The model as of now. Read it, never change it. */
  readonly model: M
  /** Resolves once everything the given transaction appended has been applied. */
  readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
}

const isStoreFailure = (error: unknown): error is EventStoreFailed => error instanceof EventStoreFailed

interface Waiter {
  readonly transaction: number
  readonly done: Deferred.Deferred<void>
}

/**
 * Replays the log into `model` with `apply`, then keeps following it for as long as the scope is open.
 * `apply` stops the projection by failing (an event it cannot read).
 */
export const start = <M, E>(
  model: M,
  apply: (model: M, events: ReadonlyArray<StoredEvent>) => Result.Result<void, E>,
  options?: Pick<Subscription.SubscriptionOptions, "pollInterval" | "batchSize" | "category">
): Effect.Effect<InMemoryProjection<M>, E | EventStoreFailed, EventStore | Scope.Scope> =>
  Effect.gen(function*() {
    let applied: Position = LOG_START
    let caughtUp: Position = LOG_START
    let waiters: Array<Waiter> = []

    // A transaction is in once the model has passed it, or has caught up with the log at or after it.
    const isIn = (transaction: number) => transaction < applied.transaction || transaction <= caughtUp.transaction

    const release = () => {
      const remaining: Array<Waiter> = []
      for (const waiter of waiters) {
        if (isIn(waiter.transaction)) Deferred.doneUnsafe(waiter.done, Exit.void)
        else remaining.push(waiter)
      }
      waiters = remaining
    }

    const handle = (events: ReadonlyArray<StoredEvent>) =>
      Effect.suspend(() => {
        const result = apply(model, events)
        if (Result.isFailure(result)) return Effect.fail(result.failure)
        applied = events.at(-1)?.position ?? applied
        release()
        return Effect.void
      })

    const settings: Subscription.SubscriptionOptions = {
      batchSize: options?.batchSize ?? 1000,
      ...(options?.category === undefined ? {} : { category: options.category }),
      ...(options?.pollInterval === undefined ? {} : { pollInterval: options.pollInterval }),
      onCaughtUp: (position) => {
        caughtUp = position
        release()
      },
      // A reader waits for a transaction this process appended (or was told of): look again soon.
      eager: () => waiters.length > 0
    }
    caughtUp = yield* Subscription.drain(LOG_START, handle, () => Effect.void, settings)
    // Following goes on from what was applied when the store fails (the database away), backing off until
    // it answers again; an event the model cannot take stops it for good.
    const follow = Effect.suspend(() =>
      Subscription.follow(comparePositions(applied, caughtUp) > 0 ? applied : caughtUp, handle, settings))
    yield* Effect.forkScoped(follow.pipe(
      Effect.tapError((error) =>
        isStoreFailure(error) ? Effect.logWarning(`a read model lost the event log (${error.message}); following again`) : Effect.void
      ),
      Effect.retry({
        while: isStoreFailure,
        schedule: Schedule.min([Schedule.exponential(Duration.millis(200)), Schedule.spaced(Duration.seconds(30))])
      })
    ))

    return {
      model,
      awaitTransaction: (transaction) =>
        Effect.suspend(() => {
          if (isIn(transaction)) return Effect.void
          return Effect.flatMap(Deferred.make<void>(), (done) => {
            waiters.push({ transaction, done })
            return Deferred.await(done)
          })
        })
    }
  })
