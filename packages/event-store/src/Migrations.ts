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

const createLog = Effect.gen(function*() {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_streams (
      stream_name text PRIMARY KEY,
      version bigint NOT NULL CHECK (version >= 0)
    )`
  // global_position is taken from a sequence (gaps and out-of-commit-order values are normal);
  // transaction_id is what makes the global order gap-free: see readAll.
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
  yield* sql`
    CREATE TABLE onair_commands (
      command_id text PRIMARY KEY,
      result jsonb,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`
  yield* sql`
    CREATE TABLE onair_checkpoints (
      consumer text PRIMARY KEY,
      transaction_id xid8 NOT NULL,
      global_position bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`
})

/**
 * One statement appends a unit of work: one round trip, all or nothing. The streams are locked in name
 * order so that two units touching the same streams cannot deadlock. A version mismatch raises SQLSTATE
 * OA409 with the stream, expected and actual versions as JSON in DETAIL; the statement's writes, the
 * command row included, roll back with it.
 */
const createAppendFunction = Effect.gen(function*() {
  const sql = yield* SqlClient
  yield* sql.unsafe(`
    CREATE FUNCTION onair_append(p_command_id text, p_streams jsonb, p_events jsonb, p_metadata jsonb)
    RETURNS jsonb LANGUAGE plpgsql AS $fn$
    DECLARE
      s record;
      e record;
      v_actual bigint;
      v_base jsonb := '{}'::jsonb;
      v_streams jsonb := '[]'::jsonb;
      v_result jsonb;
    BEGIN
      -- Take each stream's lock before anything gives this transaction an id. Transaction ids are handed
      -- out at a transaction's first write, and the global order is by transaction id: a transaction that
      -- waited for a stream gets its id after the one it waited for committed, so a stream's events keep
      -- their order in the global log. Advisory locks do not assign an id; row locks would.
      FOR s IN
        SELECT DISTINCT stream COLLATE "C" AS stream FROM jsonb_to_recordset(p_streams) AS r(stream text) ORDER BY 1
      LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended(s.stream, 0));
      END LOOP;

      -- A second append of the same command waits here for the first to commit or roll back.
      INSERT INTO onair_commands (command_id) VALUES (p_command_id) ON CONFLICT DO NOTHING;
      IF NOT FOUND THEN
        SELECT result INTO v_result FROM onair_commands WHERE command_id = p_command_id;
        RETURN v_result || '{"duplicate": true}'::jsonb;
      END IF;

      FOR s IN
        SELECT * FROM jsonb_to_recordset(p_streams) AS x(stream text, expected bigint, count bigint)
        ORDER BY stream COLLATE "C"
      LOOP
        IF s.expected IS NULL THEN
          INSERT INTO onair_streams AS t (stream_name, version) VALUES (s.stream, s.count)
          ON CONFLICT (stream_name) DO UPDATE SET version = t.version + s.count
          RETURNING version INTO v_actual;
        ELSIF s.expected = 0 THEN
          INSERT INTO onair_streams (stream_name, version) VALUES (s.stream, s.count) ON CONFLICT DO NOTHING;
          IF NOT FOUND THEN
            SELECT version INTO v_actual FROM onair_streams WHERE stream_name = s.stream;
            RAISE EXCEPTION USING ERRCODE = 'OA409', MESSAGE = 'wrong expected version',
              DETAIL = jsonb_build_object('stream', s.stream, 'expected', 0, 'actual', v_actual)::text;
          END IF;
          v_actual := s.count;
        ELSE
          UPDATE onair_streams SET version = version + s.count
          WHERE stream_name = s.stream AND version = s.expected
          RETURNING version INTO v_actual;
          IF NOT FOUND THEN
            SELECT version INTO v_actual FROM onair_streams WHERE stream_name = s.stream;
            RAISE EXCEPTION USING ERRCODE = 'OA409', MESSAGE = 'wrong expected version',
              DETAIL = jsonb_build_object('stream', s.stream, 'expected', s.expected, 'actual', coalesce(v_actual, 0))::text;
          END IF;
        END IF;
        v_base := v_base || jsonb_build_object(s.stream, v_actual - s.count);
        v_streams := v_streams || jsonb_build_object('stream', s.stream, 'version', v_actual);
      END LOOP;

      -- One row at a time, so global positions follow the order the events were decided in.
      FOR e IN
        SELECT x.value ->> 'stream' AS stream, x.value ->> 'type' AS type, x.value -> 'data' AS data, x.ordinality
        FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x
        ORDER BY x.ordinality
      LOOP
        v_actual := (v_base ->> e.stream)::bigint + 1;
        v_base := v_base || jsonb_build_object(e.stream, v_actual);
        INSERT INTO onair_events (stream_name, stream_version, event_type, data, metadata)
        VALUES (e.stream, v_actual, e.type, e.data, p_metadata);
      END LOOP;

      v_result := jsonb_build_object('streams', v_streams, 'transaction', pg_current_xact_id()::text::bigint);
      UPDATE onair_commands SET result = v_result WHERE command_id = p_command_id;
      RETURN v_result || '{"duplicate": false}'::jsonb;
    END
    $fn$`)
})

/** Every migration, by `<id>_<name>`; never edit one that has shipped, add the next. */
export const migrations = {
  "1_create_event_log": createLog,
  "2_create_append_function": createAppendFunction
}

export const MIGRATIONS_TABLE = "onair_migrations"

/** Applies the pending migrations; returns the ones it applied. */
export const run = Migrator.make({})({
  loader: Migrator.fromRecord(migrations),
  table: MIGRATIONS_TABLE
})
