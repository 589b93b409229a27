/**
 * Projections a sole writer (the embedded store: one process, one connection) applies in the append's own
 * transaction, so a read model includes a write the moment the write is acknowledged and a reader after it
 * does not wait for the projection's runner to read the log, fold and commit a batch of its own.
 *
 * An append applies a registered projection only when the projection has taken in the whole log before
 * it (its checkpoint is the log's last position): then this append's events are the next ones in its
 * order, and the checkpoint moves to them in the same transaction. Otherwise (the runner is catching up)
 * the append leaves them to the runner. The runner skips what an append applied (`Projection` filters a
 * batch by the stored checkpoint in its transaction), so every event is applied once either way.
 *
 * On PostgreSQL, where other processes append too, nothing registers: the log's order is not known inside
 * one writer's transaction.
 */
import type { StoredEvent } from "@onair/core"
import { Context, Effect, Layer, type Scope } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { Projection } from "./Projection.ts"
import type { SecretKeyring } from "./SecretKeyring.ts"

export interface InlineProjection {
  readonly projection: Projection<unknown, SqlClient | SecretKeyring>
  /**
   * Told once the append that applied `events` has committed (readers waiting for them may go on);
   * `before` is the sequence of the log's last event before them (0 for none).
   */
  readonly committed: (events: ReadonlyArray<StoredEvent>, before: number) => Effect.Effect<void>
}

export class InlineProjections extends Context.Service<
  InlineProjections,
  {
    /** Registers a projection for as long as the scope is open. */
    readonly register: (inline: InlineProjection) => Effect.Effect<void, never, Scope.Scope>
    /** The projections registered now. */
    readonly registered: () => ReadonlyArray<InlineProjection>
  }
>()("@onair/event-store/InlineProjections") {
  static readonly layer = Layer.sync(InlineProjections, () => {
    const registered = new Set<InlineProjection>()
    return InlineProjections.of({
      register: (inline) =>
        Effect.acquireRelease(
          Effect.sync(() => registered.add(inline)),
          () => Effect.sync(() => registered.delete(inline))
        ).pipe(Effect.asVoid),
      registered: () => [...registered]
    })
  })
}
