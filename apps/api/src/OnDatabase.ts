/**
 * A CLI command on the database the environment names, opened for the command alone (its own small
 * pool; on the embedded database, the lock a running main job holds keeps it out).
 */
import { Database, type SecretKeyring } from "@onair/event-store"
import type { EventStore } from "@onair/core"
import { Effect, Layer } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"

export const onDatabase = <A, E>(command: Effect.Effect<A, E, EventStore | SqlClient | SecretKeyring>) =>
  Effect.flatMap(Database.choiceFromEnv, (choice) =>
    command.pipe(Effect.provide(Layer.fresh(Database.layer(choice, { maxConnections: 2 }))))
  )
