/**
 * Tells the other processes on a PostgreSQL log that appends committed, so their subscriptions wake at once
 * instead of polling: one `NOTIFY` at a time on a connection of its own, after the appends, never inside
 * them. A notification inside the append's own statement made every appending transaction take
 * PostgreSQL's notification lock at commit, which let only one commit at a time (appends at 8 writers ran
 * at 0.37 of plain INSERTs). Appends that commit while a notification is on its way share the next one.
 */
import type { PgClient } from "@effect/sql-pg/PgClient"
import { Effect, Queue, type Scope } from "effect"

export interface AppendAnnouncer {
  /** An append committed: the others hear of it with the next notification. */
  readonly committed: () => void
}

export const make = (pg: PgClient, channel: string): Effect.Effect<AppendAnnouncer, never, Scope.Scope> =>
  Effect.gen(function* () {
    // One waiting at most: whatever commits meanwhile is covered by it.
    const due = yield* Queue.dropping<void>(1)
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.andThen(
          Queue.take(due),
          // A notification that fails is as if the listener were down: subscriptions poll meanwhile.
          Effect.ignore(pg.notify(channel, ""))
        )
      )
    )
    return { committed: () => void Queue.offerUnsafe(due, undefined) }
  })
