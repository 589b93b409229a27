/**
 * Read-your-writes: a command's answer waits until the read model that will be asked next includes what
 * the command appended (at once when it appended nothing). Every entry point that answers from a read model
 * after a write goes through this one helper.
 */
import { Context, Effect } from "effect"

/** A read model that can say when it has taken in a transaction of the log. */
export interface ReadModel {
  readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
}

/** What a command path answers: the append it made, if any. */
export interface Appended {
  readonly append?: { readonly transaction: number } | undefined
}

/**
 * The log position a request's writes reached, for its answer to carry (so a later request, to any
 * replica, can wait for it). An entry point provides a fresh one per request; without one nothing is kept.
 */
export const WrittenPosition = Context.Reference<{ transaction: number } | null>("@onair/application/WrittenPosition", {
  defaultValue: () => null
})

/** `command`, answering once `readModel` includes its append; the append's position is remembered. */
export const awaitReadModel =
  (readModel: ReadModel) =>
  <A extends Appended, E, R>(command: Effect.Effect<A, E, R>) =>
    Effect.tap(command, (handled) => {
      const transaction = handled.append?.transaction ?? 0
      return Effect.andThen(
        Effect.flatMap(Effect.service(WrittenPosition), (written) =>
          Effect.sync(() => {
            if (written !== null && transaction > written.transaction) written.transaction = transaction
          })
        ),
        // The read-your-writes wait on its own in traces: how long the read model took to take the append in.
        Effect.withSpan(readModel.awaitTransaction(transaction), "ReadModel.await")
      )
    })
