/**
 * A read model kept in this process's memory: replayed from the start of the log when it starts, then
 * fed every append. A caller that has just written waits for its own transaction (`awaitTransaction`)
 * before reading, so what it wrote is what it reads.
 */
import { comparePositions, EventStore, EventStoreFailed, LOG_START, type Position, type StoredEvent } from "@onair/core"
import { Duration, Effect, Result, Schedule, type Scope } from "effect"
import * as Subscription from "./Subscription.ts"
import * as TransactionGate from "./TransactionGate.ts"

export interface InMemoryProjection<M> {
  /** The model as of now. Read it, never change it. */
  readonly model: M
  /** Resolves once everything the given transaction appended has been applied. */
  readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
}

const isStoreFailure = (error: unknown): error is EventStoreFailed => error instanceof EventStoreFailed

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
    // A transaction is in once the model has passed it, or has caught up with the log at or after it.
    const gate = TransactionGate.make()

    const handle = (events: ReadonlyArray<StoredEvent>) =>
      Effect.suspend(() => {
        const result = apply(model, events)
        if (Result.isFailure(result)) return Effect.fail(result.failure)
        applied = events.at(-1)?.position ?? applied
        gate.advance(applied.transaction - 1)
        return Effect.void
      })

    const settings: Subscription.SubscriptionOptions = {
      batchSize: options?.batchSize ?? 1000,
      ...(options?.category === undefined ? {} : { category: options.category }),
      ...(options?.pollInterval === undefined ? {} : { pollInterval: options.pollInterval }),
      onCaughtUp: (position) => {
        caughtUp = position
        gate.advance(position.transaction)
      },
      // A reader waits for a transaction this process appended (or was told of): look again soon.
      eager: gate.waiting
    }
    caughtUp = yield* Subscription.drain(LOG_START, handle, () => Effect.void, settings)
    gate.advance(caughtUp.transaction)
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

    return { model, awaitTransaction: gate.await }
  })
