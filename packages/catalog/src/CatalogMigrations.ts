/**
 * The catalog's tables in the event store's database, migrated like the store's own (effect's Migrator,
 * record table `onair_catalog_migrations`). Every row is a projection of the log, rebuilt by replaying it.
 *
 * - `onair_livestreams`: one row per livestream with its state as the core folds it, the columns lists and
 *   filters ask for (account, app, status, creation time), and its next timer: when it is due, and until
 *   when a timer worker holds it.
 */
import { Effect } from "effect"
import * as Migrator from "effect/sql/Migrator"
import { SqlClient } from "effect/sql/SqlClient"

const createLivestreams = Effect.gen(function*() {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_livestreams (
      id text PRIMARY KEY,
      account_id text NOT NULL,
      app_id text NOT NULL,
      status text NOT NULL,
      deleted boolean NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      state jsonb NOT NULL,
      next_timer_at timestamptz,
      timer_claimed_until timestamptz
    )`
  yield* sql`CREATE INDEX onair_livestreams_app ON onair_livestreams (account_id, app_id, created_at)`
  yield* sql`CREATE INDEX onair_livestreams_due ON onair_livestreams (next_timer_at) WHERE next_timer_at IS NOT NULL`
})

export const migrations = { "1_create_livestreams": createLivestreams }

export const MIGRATIONS_TABLE = "onair_catalog_migrations"

/** Applies the pending migrations; returns the ones it applied. */
export const run = Migrator.make({})({ loader: Migrator.fromRecord(migrations), table: MIGRATIONS_TABLE })
