/**
 * Read-your-writes: a command's answer waits until the read model that will be asked next includes what
 * the command appended (at once when it appended nothing). Every entry point that answers from a read model
 * after a write goes through this one helper.
 */
import { Effect } from "effect"

/** A read model that can say when it has taken in a transaction of the log. */
export interface ReadModel {
  readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
}

/** What a command path answers: the append it made, if any. */
export interface Appended {
  readonly append?: { readonly transaction: number } | undefined
}

/** `command`, answering once `readModel` includes its append. */
export const awaitReadModel = (readModel: ReadModel) => <A extends Appended, E, R>(command: Effect.Effect<A, E, R>) =>
  Effect.tap(command, (handled) => readModel.awaitTransaction(handled.append?.transaction ?? 0))
