/**
 * Where a projection kept in the database has got to, as seen from any process: a reader after a write
 * (its own, or one named by a request's log position) waits until the projection's checkpoint includes
 * that write's transaction.
 *
 * The process running the projection says so after each commit (`committed`); on PostgreSQL it also
 * notifies the other processes (channel `onair_projections`, payload `<name> <transaction>`). While anyone
 * waits, the checkpoint is also read every `POLL` as a safety net for a notification that never came (a
 * listener reconnecting). Nobody waiting costs nothing. On a sole writer (the embedded store: one process,
 * one connection) the runner beside the reader is the only one that can advance it, and tells it.
 */
import { PgClient } from "@effect/sql-pg/PgClient"
import { EventStore, type Position } from "@onair/core"
import { Duration, Effect, Option, Queue, type Scope } from "effect"
import * as TransactionGate from "./TransactionGate.ts"

export const CHANNEL = "onair_projections"
const POLL = Duration.millis(5)

export interface ProjectionWatch {
  /** Resolves once the projection's checkpoint has reached the given transaction. */
  readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
  /** The transaction the checkpoint has reached at least, as this process knows it. */
  readonly reached: () => number
  /** Whether a reader in this process waits now (the runner looks at the log eagerly meanwhile). */
  readonly waiting: () => boolean
  /** For the projection's runner: a batch up to `position` has committed. */
  readonly committed: (position: Position) => Effect.Effect<void>
}

export const make = (name: string): Effect.Effect<ProjectionWatch, never, EventStore | Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    // A sole writer (the embedded database) is one process: nobody else to tell, and its one connection
    // must not be held by a listener.
    const pg = store.soleWriter ? Option.none() : yield* Effect.serviceOption(PgClient)
    const scope = yield* Effect.scope
    let polling = false

    const readCheckpoint = Effect.flatMap(store.loadCheckpoint(name), (position) =>
      Effect.sync(() => gate.advance(position.transaction))
    )

    // One poller at a time, for as long as someone waits.
    const poll: Effect.Effect<void> = Effect.gen(function* () {
      while (gate.waiting()) {
        yield* Effect.ignore(readCheckpoint)
        if (gate.waiting()) yield* Effect.sleep(POLL)
      }
      polling = false
    })
    // A sole writer runs the projection in this very process, which says so after each commit: a poll there
    // would only take the one connection from the projection it waits for.
    const gate = TransactionGate.make(0, () =>
      Effect.suspend(() => {
        if (polling || store.soleWriter) return Effect.void
        polling = true
        return Effect.asVoid(Effect.forkIn(poll, scope))
      })
    )

    yield* Effect.ignore(readCheckpoint)

    if (Option.isSome(pg)) {
      const listen = Effect.scoped(
        Effect.gen(function* () {
          const notifications = yield* pg.value.listen(CHANNEL)
          return yield* Effect.forever(
            Effect.flatMap(Queue.take(notifications), (notification) =>
              Effect.sync(() => {
                const [projection, transaction] = notification.payload.split(" ")
                if (projection === name) gate.advance(Number(transaction))
              })
            )
          )
        })
      )
      yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.ignore(listen), Effect.sleep(Duration.seconds(1)))))
    }

    return {
      awaitTransaction: gate.await,
      reached: gate.reached,
      waiting: gate.waiting,
      committed: (position) =>
        Effect.andThen(
          Effect.sync(() => gate.advance(position.transaction)),
          Option.isSome(pg) ? Effect.ignore(pg.value.notify(CHANNEL, `${name} ${position.transaction}`)) : Effect.void
        )
    }
  })
