/**
 * The event store's schema, as versioned migrations applied at start-up (effect's Migrator records them in
 * `onair_migrations` and runs each pending one in a transaction under a table lock, so two processes
 * starting at once apply each migration once).
 *
 * Rule for every migration after the first: it may add, never drop or rewrite event rows. A change to how
 * events look is made by new event types or by upcasting when reading, so no migration can lose an event.
 */
import { Effect } from "effect"
import * as Migrator from "effect/sql/Migrator"
import { SqlClient } from "effect/sql/SqlClient"

const createLog = Effect.gen(function* () {
  const sql = yield* SqlClient
  // global_position comes from a sequence: gaps and values that commit out of order are normal, and
  // transaction_id is what makes the global order gap-free (see SqlEventStore.readAll). A stream's version
  // is its last event's stream_version, found through the unique index. Event ids are derived from the
  // appending command's id (see AppendStatement), so the unique event_id index also makes appends
  // idempotent by command.
  yield* sql`
    CREATE TABLE onair_events (
      global_position bigserial PRIMARY KEY,
      transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      stream_name text NOT NULL,
      stream_version bigint NOT NULL CHECK (stream_version >= 1),
      event_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
      event_type text NOT NULL,
      data jsonb NOT NULL,
      metadata jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (stream_name, stream_version)
    )`
  yield* sql`CREATE INDEX onair_events_global_order ON onair_events (transaction_id, global_position)`
})

const createCheckpoints = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_checkpoints (
      consumer text PRIMARY KEY,
      transaction_id xid8 NOT NULL,
      global_position bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`
})

const createConsumerLeases = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_consumer_leases (
      consumer text PRIMARY KEY,
      owner text NOT NULL,
      expires_at timestamptz NOT NULL
    )`
})

/** Reading one category of streams (`accessToken-…`, `webhookEndpoint-…`) without the whole log. */
const createCategoryIndex = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE INDEX onair_events_category ON onair_events (split_part(stream_name, '-', 1), transaction_id, global_position)`
})

/**
 * The keys the log holds secrets under (`SecretKeysInUse`), filled from the log once: the id is the third
 * part of a sealed value, `enc:v1:<key id>:<payload>`.
 */
const createSecretKeys = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_secret_keys (
      key_id text PRIMARY KEY,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`
  yield* sql`
    INSERT INTO onair_secret_keys (key_id)
    SELECT DISTINCT split_part(sealed, ':', 3) FROM (
      SELECT data ->> 'streamKey' AS sealed FROM onair_events WHERE data ->> 'streamKey' LIKE 'enc:v1:%'
      UNION ALL
      SELECT data ->> 'secret' FROM onair_events WHERE data ->> 'secret' LIKE 'enc:v1:%'
    ) AS secrets
    ON CONFLICT (key_id) DO NOTHING`
})

/** Every migration, by `<id>_<name>`; never edit one that has shipped, add the next. */
export const migrations = {
  "1_create_event_log": createLog,
  "2_create_checkpoints": createCheckpoints,
  "3_create_consumer_leases": createConsumerLeases,
  "4_create_category_index": createCategoryIndex,
  "5_create_secret_keys": createSecretKeys
}

export const MIGRATIONS_TABLE = "onair_migrations"

/** Applies the pending migrations; returns the ones it applied. */
export const run = Migrator.make({})({
  loader: Migrator.fromRecord(migrations),
  table: MIGRATIONS_TABLE
})
