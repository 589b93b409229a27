/**
 * Durable subscriptions: a named consumer reads the global log in order, from its stored checkpoint, in
 * batches. A batch's checkpoint is stored only after the handler succeeded with it, so an event is handled
 * at least once, and never again once its checkpoint is stored (the acknowledgement). Each stream's events
 * arrive in stream order because the global order keeps it.
 *
 * A named consumer runs in one place at a time: `run` and `catchUp` hold the consumer's lease
 * (ConsumerLease), and a checkpoint is stored only while its runner holds the lease. A second runner of the
 * same name waits on standby and takes over from the last checkpoint when the first stops or dies.
 */
import {
  comparePositions,
  EventStore,
  type EventStoreFailed,
  LeaseLost,
  type Position,
  type StoredEvent
} from "@onair/core"
import { Duration, Effect, Schedule } from "effect"
import { type LeaseOptions, withLease } from "./ConsumerLease.ts"

export interface SubscriptionOptions extends LeaseOptions {
  /** Events per batch handed to the handler; default 500. */
  readonly batchSize?: number
  /** Only the events of this stream category (see `EventStore.readAll`). */
  readonly category?: string
  /**
   * How soon to look again for events appended by other processes after reading some, default 100 ms.
   * While nothing comes the pause doubles, up to `maxPollInterval`. Appends through this process's store
   * wake the subscription at once either way.
   */
  readonly pollInterval?: Duration.Input
  /** The longest pause between looks while the log is quiet, default 1 s. */
  readonly maxPollInterval?: Duration.Input
  /**
   * Called by `run` and `follow` each time they have handled everything readable, with the position
   * reached: a consumer that serves reads can tell its readers it is up to date.
   */
  readonly onCaughtUp?: (position: Position) => void
  /**
   * Whether someone waits for an append this subscription has not read yet (a reader after its own
   * write). While true, a look that found nothing is repeated after `EAGER_POLL` instead of backing off: an
   * append can be committed and still not readable while an older transaction is open, and the end of that
   * transaction wakes nobody.
   */
  readonly eager?: () => boolean
  /**
   * `follow` only: how long to let appends gather after one woke it, while nobody waits (`eager`), so a
   * busy log is read in batches rather than an append at a time; default none.
   */
  readonly linger?: Duration.Input
}

export type Handler<E, R> = (events: ReadonlyArray<StoredEvent>) => Effect.Effect<void, E, R>

const DEFAULT_BATCH_SIZE = 500
const DEFAULT_POLL_INTERVAL = Duration.millis(100)
const DEFAULT_MAX_POLL_INTERVAL = Duration.seconds(1)
const SOLE_WRITER_POLL_MILLIS = 30_000
/** How soon an eager subscription looks again when a look found nothing. */
const EAGER_POLL_MILLIS = 5

/**
 * Hands every event after `from` to `handle`, batch by batch, until none is left; calls `acknowledge` with
 * the position after each handled batch. Returns the position reached.
 */
export const drain = <E, R, E2, R2>(
  from: Position,
  handle: Handler<E, R>,
  acknowledge: (position: Position) => Effect.Effect<void, E2, R2>,
  options?: SubscriptionOptions
): Effect.Effect<Position, E | E2 | EventStoreFailed, EventStore | R | R2> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const batchSize = options?.batchSize ?? DEFAULT_BATCH_SIZE
    let position = from
    for (;;) {
      const batch = yield* store.readAll(
        position,
        batchSize,
        options?.category === undefined ? undefined : { category: options.category }
      )
      // Nothing more; a category read may still have moved past other streams' events.
      if (batch.events.length === 0) return comparePositions(batch.next, position) > 0 ? batch.next : position
      yield* handle(batch.events)
      yield* acknowledge(batch.next)
      position = batch.next
      if (batch.events.length < batchSize) return position
    }
  })

const storeCheckpointOf = (consumer: string, owner: string) => (position: Position) =>
  Effect.flatMap(Effect.service(EventStore), (store) => store.storeCheckpoint(consumer, position, owner))

const loadCheckpointOf = (consumer: string) =>
  Effect.flatMap(Effect.service(EventStore), (store) => store.loadCheckpoint(consumer))

/**
 * Catches a named consumer up with the log from its stored checkpoint, holding its lease; returns the
 * position reached.
 */
export const catchUp = <E, R>(
  consumer: string,
  handle: Handler<E, R>,
  options?: SubscriptionOptions
): Effect.Effect<Position, E | EventStoreFailed | LeaseLost, EventStore | R> =>
  withLease(
    consumer,
    (owner) =>
      Effect.flatMap(loadCheckpointOf(consumer), (from) =>
        drain(from, handle, storeCheckpointOf(consumer, owner), options)
      ),
    options
  )

/**
 * Follows the log from `from` for ever, without storing checkpoints: for consumers that keep their state
 * in memory and so start from the beginning in every process.
 */
export const follow = <E, R>(
  from: Position,
  handle: Handler<E, R>,
  options?: SubscriptionOptions
): Effect.Effect<never, E | EventStoreFailed, EventStore | R> =>
  followFrom(Effect.succeed(from), handle, () => Effect.void, options)

/**
 * Runs a named consumer for ever: waits for its lease, catches up from its checkpoint, then handles events
 * as they are appended. When the lease is lost it goes back to waiting and resumes from the checkpoint.
 */
export const run = <E, R>(
  consumer: string,
  handle: Handler<E, R>,
  options?: SubscriptionOptions
): Effect.Effect<never, E | EventStoreFailed, EventStore | R> =>
  Effect.forever(
    withLease(
      consumer,
      (owner) => followFrom(loadCheckpointOf(consumer), handle, storeCheckpointOf(consumer, owner), options),
      options
    ).pipe(
      Effect.catchIf(
        (error) => error instanceof LeaseLost,
        () => Effect.void
      )
    )
  )

const followFrom = <E, R, E2, R2>(
  start: Effect.Effect<Position, EventStoreFailed, EventStore>,
  handle: Handler<E, R>,
  acknowledge: (position: Position) => Effect.Effect<void, E2, R2>,
  options?: SubscriptionOptions
): Effect.Effect<never, E | E2 | EventStoreFailed, EventStore | R | R2> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const pollMillis = Duration.toMillis(Duration.fromInputUnsafe(options?.pollInterval ?? DEFAULT_POLL_INTERVAL))
    // With a sole writer every append wakes us, so a quiet log is looked at only as a safety net.
    const maxPollMillis = store.soleWriter
      ? SOLE_WRITER_POLL_MILLIS
      : Math.max(
          pollMillis,
          Duration.toMillis(Duration.fromInputUnsafe(options?.maxPollInterval ?? DEFAULT_MAX_POLL_INTERVAL))
        )
    const linger = options?.linger === undefined ? 0 : Duration.toMillis(Duration.fromInputUnsafe(options.linger))
    // A reader that starts waiting during the linger ends it.
    const waitedFor = Effect.repeat(
      Effect.sync(() => options?.eager?.() === true),
      {
        until: (waiting) => waiting,
        schedule: Schedule.spaced(Duration.millis(1))
      }
    )
    let position = yield* start
    let pause = pollMillis
    for (;;) {
      // Read the count first: an append after this line wakes the wait below even if drain missed it.
      const seen = yield* store.appendCount
      const reached = yield* drain(position, handle, acknowledge, options)
      // A quiet log is polled less and less often; anything read resets the pace.
      const progressed = comparePositions(reached, position) > 0
      pause = progressed ? pollMillis : Math.min(pause * 2, maxPollMillis)
      position = reached
      options?.onCaughtUp?.(position)
      const wait = options?.eager?.() === true ? EAGER_POLL_MILLIS : pause
      yield* Effect.raceFirst(store.awaitAppendAfter(seen), Effect.sleep(Duration.millis(wait)))
      if (linger > 0 && options?.eager?.() !== true)
        yield* Effect.raceFirst(Effect.sleep(Duration.millis(linger)), waitedFor)
    }
  })
