/**
 * Read models fed by subscriptions. A projection has a name (its consumer's name), applies batches of
 * events in log order, and can forget everything it built so that `rebuild` replays the whole log into it
 * with one call.
 *
 * Projections that keep their rows in the event store's database get exactly-once application: each batch
 * and its checkpoint commit in one transaction, so a crash between the two cannot apply a batch twice.
 */
import { EventStore, type EventStoreFailed, LeaseLost, LOG_START, type Position, type StoredEvent } from "@onair/core"
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { withLease } from "./ConsumerLease.ts"
import * as Subscription from "./Subscription.ts"

export interface Projection<E = never, R = never> {
  readonly name: string
  /** Applies a batch, in order. */
  readonly apply: (events: ReadonlyArray<StoredEvent>) => Effect.Effect<void, E, R>
  /** Forgets everything applied so far. */
  readonly reset: Effect.Effect<void, E, R>
}

export interface RunOptions extends Subscription.SubscriptionOptions {
  /**
   * Told the position of each batch once its transaction has committed: readers waiting for the
   * projection to include a write can look again.
   */
  readonly onCommitted?: (position: Position) => Effect.Effect<void>
}

/** Applies the batch and stores the checkpoint in one transaction, which rolls back if the lease is lost. */
const applyAtomically =
  <E, R>(
    projection: Projection<E, R>,
    owner: string,
    onCommitted: (position: Position) => Effect.Effect<void> = () => Effect.void
  ) =>
  (events: ReadonlyArray<StoredEvent>) =>
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const store = yield* EventStore
      const last = events.at(-1)
      if (last === undefined) return
      yield* sql.withTransaction(
        Effect.andThen(projection.apply(events), store.storeCheckpoint(projection.name, last.position, owner))
      )
      yield* onCommitted(last.position)
    })

const noAcknowledgement = (_: Position) => Effect.void

type ProjectionError<E> = E | EventStoreFailed | LeaseLost | SqlError

/** Brings the projection up to date with the log, holding its lease; returns the position reached. */
export const catchUp = <E, R>(
  projection: Projection<E, R>,
  options?: Subscription.SubscriptionOptions
): Effect.Effect<Position, ProjectionError<E>, EventStore | SqlClient | R> =>
  withLease(
    projection.name,
    (owner) =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const from = yield* store.loadCheckpoint(projection.name)
        return yield* Subscription.drain(from, applyAtomically(projection, owner), noAcknowledgement, options)
      }),
    options
  )

/** Keeps the projection up to date for ever; on standby while another process runs it. */
export const run = <E, R>(
  projection: Projection<E, R>,
  options?: RunOptions
): Effect.Effect<never, Exclude<ProjectionError<E>, LeaseLost>, EventStore | SqlClient | R> =>
  Effect.forever(
    withLease(
      projection.name,
      (owner) =>
        Effect.gen(function* () {
          const store = yield* EventStore
          const from = yield* store.loadCheckpoint(projection.name)
          return yield* Subscription.follow(from, applyAtomically(projection, owner, options?.onCommitted), options)
        }),
      options
    ).pipe(
      Effect.catchIf(
        (error): error is LeaseLost => error instanceof LeaseLost,
        () => Effect.void
      )
    )
  )

/**
 * Forgets the projection and replays the whole log into it, holding its lease (so it waits for a runner of
 * the projection to stop); returns the position reached.
 */
export const rebuild = <E, R>(
  projection: Projection<E, R>,
  options?: Subscription.SubscriptionOptions
): Effect.Effect<Position, ProjectionError<E>, EventStore | SqlClient | R> =>
  withLease(
    projection.name,
    (owner) =>
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const store = yield* EventStore
        yield* sql.withTransaction(Effect.andThen(projection.reset, store.resetCheckpoint(projection.name)))
        return yield* Subscription.drain(LOG_START, applyAtomically(projection, owner), noAcknowledgement, options)
      }),
    options
  )
