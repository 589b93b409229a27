/**
 * The webhook adapter's tables, beside the event log and migrated the same way (effect's Migrator, its own
 * record table `onair_webhook_migrations`):
 *
 * - `onair_webhook_messages`: the event feed, one row per webhook event, derived from the log by the outbox
 *   (rebuildable: ids and sequence numbers are functions of the log). `position` is the feed's cursor.
 * - `onair_webhook_deliveries`: one per message and endpoint, with its state and next attempt.
 * - `onair_webhook_attempts`: every attempt, with status, latency and an excerpt of the answer.
 * - `onair_outbox_state`: what the outbox knows as of its checkpoint (`OutboxState` keys: aggregates,
 *   endpoints without secrets, HLS starts, joins, sequence numbers), so it starts from its checkpoint
 *   instead of folding the log; `app` indexes endpoints by their app. A livestream's stream key is sealed.
 */
import { Effect } from "effect"
import * as Migrator from "effect/sql/Migrator"
import { SqlClient } from "effect/sql/SqlClient"

const createTables = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_webhook_messages (
      position bigserial PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      account_id text NOT NULL,
      app_id text NOT NULL,
      type text NOT NULL,
      subject text NOT NULL,
      sequence bigint NOT NULL,
      occurred_at timestamptz NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`
  yield* sql`CREATE INDEX onair_webhook_messages_app ON onair_webhook_messages (account_id, app_id, position)`
  yield* sql`
    CREATE TABLE onair_webhook_deliveries (
      message_id uuid NOT NULL REFERENCES onair_webhook_messages (id),
      endpoint_id text NOT NULL,
      message_position bigint NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts int NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      last_status int,
      last_error text,
      committed_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (message_id, endpoint_id)
    )`
  yield* sql`
    CREATE INDEX onair_webhook_deliveries_due ON onair_webhook_deliveries (next_attempt_at, message_position)
    WHERE status = 'pending'`
  yield* sql`CREATE INDEX onair_webhook_deliveries_endpoint ON onair_webhook_deliveries (endpoint_id, status, updated_at)`
  yield* sql`
    CREATE TABLE onair_webhook_attempts (
      id bigserial PRIMARY KEY,
      message_id uuid NOT NULL,
      endpoint_id text NOT NULL,
      attempt int NOT NULL,
      attempted_at timestamptz NOT NULL,
      status int,
      latency_ms int NOT NULL,
      error text,
      response_excerpt text
    )`
  yield* sql`CREATE INDEX onair_webhook_attempts_endpoint ON onair_webhook_attempts (endpoint_id, id)`
})

const createOutboxState = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_outbox_state (
      key text PRIMARY KEY,
      app text,
      value jsonb NOT NULL
    )`
  yield* sql`CREATE INDEX onair_outbox_state_app ON onair_outbox_state (app) WHERE app IS NOT NULL`
})

/** The trace each message continues (the `traceparent` of the append that caused it), when traces were exported. */
const addTraceParents = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`ALTER TABLE onair_webhook_messages ADD COLUMN trace_parent text`
})

export const migrations = {
  "1_create_webhook_tables": createTables,
  "2_create_outbox_state": createOutboxState,
  "3_add_trace_parents": addTraceParents
}

export const MIGRATIONS_TABLE = "onair_webhook_migrations"

/** Applies the pending migrations; returns the ones it applied. */
export const run = Migrator.make({})({ loader: Migrator.fromRecord(migrations), table: MIGRATIONS_TABLE })
