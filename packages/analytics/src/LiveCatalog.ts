/**
 * The catalog kept up to date in this process: rebuilt from the start of the log when the layer starts,
 * then following every append. Readers that have just written wait for their own transaction with
 * `awaitTransaction`, so a create is visible to the read that follows it.
 */
import { EventStore, type EventStoreFailed, LOG_START, type Position } from "@onair/core"
import { Subscription } from "@onair/event-store"
import { Context, Deferred, Effect, Exit, Layer, Result, type Scope } from "effect"
import { Catalog, type CatalogEventUnreadable } from "./Catalog.ts"

interface Waiter {
  readonly transaction: number
  readonly done: Deferred.Deferred<void>
}

export class LiveCatalog extends Context.Service<LiveCatalog, {
  /** The catalog as of now. Read it, never change it. */
  readonly current: Effect.Effect<Catalog>
  /** Resolves once everything the given transaction appended is in the catalog. */
  readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
}>()("@onair/analytics/LiveCatalog") {
  static readonly make: Effect.Effect<
    LiveCatalog["Service"],
    EventStoreFailed | CatalogEventUnreadable,
    EventStore | Scope.Scope
  > = Effect.gen(function*() {
    const catalog = new Catalog()
    let caughtUp: Position = LOG_START
    let waiters: Array<Waiter> = []

    /** A transaction is in when the catalog has passed it, or has caught up at or after it. */
    const release = () => {
      const applied = catalog.position.transaction
      const remaining: Array<Waiter> = []
      for (const waiter of waiters) {
        if (waiter.transaction < applied || waiter.transaction <= caughtUp.transaction) {
          Deferred.doneUnsafe(waiter.done, Exit.void)
        } else remaining.push(waiter)
      }
      waiters = remaining
    }

    const apply = (events: Parameters<Catalog["apply"]>[0]) =>
      Effect.suspend(() => {
        const applied = catalog.apply(events)
        release()
        return Result.isFailure(applied) ? Effect.fail(applied.failure) : Effect.void
      })

    const options: Subscription.SubscriptionOptions = {
      batchSize: 1000,
      onCaughtUp: (position) => {
        caughtUp = position
        release()
      }
    }
    // Rebuild before serving: the first read sees the whole log.
    caughtUp = yield* Subscription.drain(LOG_START, apply, () => Effect.void, options)
    yield* Effect.forkScoped(Subscription.follow(caughtUp, apply, options))

    return {
      current: Effect.sync(() => catalog),
      awaitTransaction: (transaction) =>
        Effect.suspend(() => {
          if (transaction < catalog.position.transaction || transaction <= caughtUp.transaction) return Effect.void
          return Effect.flatMap(Deferred.make<void>(), (done) => {
            waiters.push({ transaction, done })
            return Deferred.await(done)
          })
        })
    }
  })

  static readonly layer = Layer.effect(LiveCatalog, LiveCatalog.make)
}
