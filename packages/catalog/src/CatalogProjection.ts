/**
 * Keeps the catalog's tables for as long as the layer lives: migrated when it starts, then followed by
 * whichever process holds the projection's lease (the others stand by, and take over when it goes),
 * retried with back-off when the database is away. Each committed batch is told to the catalog's watch, so
 * readers after a write, in this process and (on PostgreSQL) in the others, go on at once.
 */
import { Projection } from "@onair/event-store"
import { Duration, Effect, Layer, Schedule } from "effect"
import * as CatalogMigrations from "./CatalogMigrations.ts"
import { CatalogWatch } from "./CatalogWatch.ts"
import { PROJECTION, projection } from "./CatalogTables.ts"

export const layer = Layer.effectDiscard(
  Effect.gen(function* () {
    yield* CatalogMigrations.run
    const watch = yield* CatalogWatch
    yield* Effect.forkScoped(
      Projection.run(projection, {
        onCommitted: watch.committed,
        eager: watch.waiting,
        // Readers in other processes wait too; a quiet log is looked at no less often than this.
        maxPollInterval: Duration.millis(100)
      }).pipe(
        Effect.tapError((error) => Effect.logWarning(`catalog: ${PROJECTION} stopped (${String(error)}); retrying`)),
        Effect.retry(Schedule.min([Schedule.exponential(Duration.seconds(1)), Schedule.spaced(Duration.seconds(30))])),
        Effect.orDie
      )
    )
  })
)
