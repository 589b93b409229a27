/**
 * The catalog kept up to date in this process: rebuilt from the start of the log when the layer starts,
 * then following every append, with read-your-writes through `awaitTransaction`.
 */
import { InMemoryProjection } from "@onair/event-store"
import { CommandHandler, type CommandHandlerOptions } from "@onair/application"
import { Context, Effect, Layer } from "effect"
import { Catalog } from "./Catalog.ts"

export class LiveCatalog extends Context.Service<LiveCatalog, {
  /** The catalog as of now. Read it, never change it. */
  readonly current: Effect.Effect<Catalog>
  /** `current` as a plain call, for the lean read path. */
  readonly currentSync: () => Catalog
  /** Resolves once everything the given transaction appended is in the catalog. */
  readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
}>()("@onair/catalog/LiveCatalog") {
  static readonly make = Effect.map(
    InMemoryProjection.start(new Catalog(), (catalog, events) => catalog.apply(events)),
    (projection) => ({
      current: Effect.sync(() => projection.model),
      currentSync: () => projection.model,
      awaitTransaction: projection.awaitTransaction
    })
  )

  static readonly layer = Layer.effect(LiveCatalog, LiveCatalog.make)

  /**
   * The command path deciding first attempts from this catalog (no database read for the states it
   * touches); it needs the catalog and the store.
   */
  static readonly commandHandler = (options?: Omit<CommandHandlerOptions, "snapshots">) =>
    Layer.unwrap(Effect.map(
      Effect.service(LiveCatalog),
      // The projection keeps one model for its whole life, so its snapshots stay current.
      (catalog) => CommandHandler.layer({ ...options, snapshots: catalog.currentSync().snapshots })
    ))
}
