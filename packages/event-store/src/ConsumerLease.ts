/**
 * One runner per consumer name, across processes: a runner waits for the consumer's lease, renews it while
 * it works, and gives it up when it stops. A runner that fails to renew (its lease expired, another took
 * it) is stopped with `LeaseLost`; the checkpoints it stores carry its owner id, so even a runner that has
 * not noticed yet can no longer acknowledge anything.
 */
import { EventStore, type EventStoreFailed, LeaseLost } from "@onair/core"
import { Duration, Effect } from "effect"
import * as Os from "node:os"

export interface LeaseOptions {
  /** How long a lease lives without renewal; default 5 s. It is renewed every third of that. */
  readonly leaseTtl?: Duration.Input
}

const DEFAULT_TTL = Duration.seconds(5)
const STANDBY_LOOK_MILLIS = 250

/** An owner id that says which process holds a lease. */
export const newOwner = (): string => `${Os.hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`

/**
 * Runs `work(owner)` while holding the consumer's lease: waits for it, keeps it, releases it at the end.
 * Fails with `LeaseLost` if the lease could not be renewed.
 */
export const withLease = <A, E, R>(
  consumer: string,
  work: (owner: string) => Effect.Effect<A, E, R>,
  options?: LeaseOptions
): Effect.Effect<A, E | LeaseLost | EventStoreFailed, R | EventStore> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const ttl = Duration.fromInputUnsafe(options?.leaseTtl ?? DEFAULT_TTL)
    const ttlMillis = Duration.toMillis(ttl)
    const renewEvery = Duration.millis(Math.max(10, ttlMillis / 3))
    // A standby looks more often than the holder renews, so it takes over soon after a holder lets go.
    const lookEvery = Duration.millis(Math.max(10, Math.min(STANDBY_LOOK_MILLIS, ttlMillis / 3)))
    const owner = newOwner()

    while (!(yield* store.acquireLease(consumer, owner, ttlMillis))) yield* Effect.sleep(lookEvery)

    const heartbeat = Effect.gen(function* () {
      for (;;) {
        yield* Effect.sleep(renewEvery)
        const held = yield* store.acquireLease(consumer, owner, ttlMillis)
        if (!held) return yield* new LeaseLost({ consumer, owner })
      }
    })

    return yield* Effect.raceFirst(work(owner), heartbeat).pipe(
      Effect.ensuring(Effect.ignore(store.releaseLease(consumer, owner)))
    )
  })
