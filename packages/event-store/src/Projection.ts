/**
 * Read models fed by subscriptions. A projection has a name (its consumer's name), applies batches of
 * events in log order, and can forget everything it built so that `rebuild` replays the whole log into it
 * with one call.
 *
 * Projections that keep their rows in the event store's database get exactly-once application: each batch
 * and its checkpoint commit in one transaction, so a crash between the two cannot apply a batch twice.
 */
import { EventStore, type EventStoreFailed, type Position, type StoredEvent } from "@onair/core"
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as Subscription from "./Subscription.ts"

export interface Projection<E = never, R = never> {
  readonly name: string
  /** Applies a batch, in order. */
  readonly apply: (events: ReadonlyArray<StoredEvent>) => Effect.Effect<void, E, R>
  /** Forgets everything applied so far. */
  readonly reset: Effect.Effect<void, E, R>
}

/** Applies the batch and stores the checkpoint in one transaction. */
const applyAtomically = <E, R>(projection: Projection<E, R>) => (events: ReadonlyArray<StoredEvent>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    const store = yield* EventStore
    const last = events.at(-1)
    if (last === undefined) return
    yield* sql.withTransaction(
      Effect.andThen(projection.apply(events), store.storeCheckpoint(projection.name, last.position))
    )
  })

const noAcknowledgement = (_: Position) => Effect.void

/** Brings the projection up to date with the log; returns the position reached. */
export const catchUp = <E, R>(
  projection: Projection<E, R>,
  options?: Subscription.SubscriptionOptions
): Effect.Effect<Position, E | EventStoreFailed | SqlError, EventStore | SqlClient | R> =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const from = yield* store.loadCheckpoint(projection.name)
    return yield* Subscription.drain(from, applyAtomically(projection), noAcknowledgement, options)
  })

/** Keeps the projection up to date for ever. */
export const run = <E, R>(
  projection: Projection<E, R>,
  options?: Subscription.SubscriptionOptions
): Effect.Effect<never, E | EventStoreFailed | SqlError, EventStore | SqlClient | R> =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const from = yield* store.loadCheckpoint(projection.name)
    return yield* Subscription.follow(from, applyAtomically(projection), options)
  })

/** Forgets the projection and replays the whole log into it; returns the position reached. */
export const rebuild = <E, R>(
  projection: Projection<E, R>,
  options?: Subscription.SubscriptionOptions
): Effect.Effect<Position, E | EventStoreFailed | SqlError, EventStore | SqlClient | R> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    const store = yield* EventStore
    yield* sql.withTransaction(Effect.andThen(projection.reset, store.resetCheckpoint(projection.name)))
    return yield* catchUp(projection, options)
  })
