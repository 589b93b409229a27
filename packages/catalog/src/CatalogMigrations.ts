/**
 * The catalog's tables in the event store's database, migrated like the store's own (effect's Migrator,
 * record table `onair_catalog_migrations`). Every row is a projection of the log, rebuilt by replaying it.
 *
 * - `onair_livestreams`: one row per livestream with its state as the core folds it, the columns lists and
 *   filters ask for (account, app, status, creation time, key), and its next timer: when it is due, and
 *   until when a timer worker holds it.
 * - `onair_sessions`, `onair_ingests`, `onair_meetings`: one row per aggregate, its state and the columns
 *   the API looks it up by.
 * - `onair_meeting_sessions`: each meeting session's interval, for day-wise analytics.
 * - `onair_livestream_counts`: livestreams per app and status, for list totals.
 * - `onair_session_days`: settled sessions' analytics per app and day.
 * - `onair_access_tokens`, `onair_webhook_endpoints`: each API token and webhook endpoint's state (an
 *   endpoint's signing secrets sealed as the log seals them), so no process folds them in memory.
 * - `onair_recordings`: each session's recording (its phase, its node, its files once ready).
 * - `onair_app_settings`: each app's settings (recording retention, transcripts).
 * - `onair_apps`: each account's apps (id, name, when created), listed and searched by name.
 * - `onair_ingest_health`: each publisher's sampled health, for a session's bitrate and fps over time.
 * - `onair_restream_targets`: each livestream's restream targets and where each one's relay is; beside it
 *   `onair_relay_progress`, which the nodes' relay reports write (not a projection: a rebuild leaves it).
 * - `onair_media_nodes`: each media node's state; beside it `onair_media_node_leases`, which the nodes'
 *   heartbeats write (not a projection: a rebuild leaves it).
 *
 * `ordinal` is the global position of an aggregate's first event: rows created in the same millisecond
 * still list in the order they were created, and a rebuild gives the same values.
 */
import { Effect } from "effect"
import * as Migrator from "effect/sql/Migrator"
import { SqlClient } from "effect/sql/SqlClient"

const createLivestreams = Effect.gen(function* () {
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

/**
 * Every aggregate in a table of its own (projection `catalog`, which replaces `livestream-table`): the
 * livestream table is made again with its new columns and filled by the new projection's first run.
 */
const createCatalog = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`DROP TABLE onair_livestreams`
  yield* sql`
    CREATE TABLE onair_livestreams (
      id text PRIMARY KEY,
      ordinal bigint NOT NULL,
      account_id text NOT NULL,
      app_id text NOT NULL,
      status text NOT NULL,
      deleted boolean NOT NULL,
      meeting_id text,
      stream_key text NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      state jsonb NOT NULL,
      next_timer_at timestamptz,
      timer_claimed_until timestamptz
    )`
  yield* sql`CREATE INDEX onair_livestreams_app ON onair_livestreams (account_id, app_id, created_at, ordinal) WHERE NOT deleted`
  yield* sql`CREATE INDEX onair_livestreams_app_status ON onair_livestreams (account_id, app_id, status, created_at, ordinal) WHERE NOT deleted`
  yield* sql`CREATE INDEX onair_livestreams_key ON onair_livestreams (stream_key) WHERE NOT deleted`
  yield* sql`CREATE INDEX onair_livestreams_due ON onair_livestreams (next_timer_at) WHERE next_timer_at IS NOT NULL`
  yield* sql`
    CREATE TABLE onair_sessions (
      id text PRIMARY KEY,
      ordinal bigint NOT NULL,
      livestream_id text NOT NULL,
      account_id text NOT NULL,
      app_id text NOT NULL,
      started_at timestamptz,
      state jsonb NOT NULL
    )`
  yield* sql`CREATE INDEX onair_sessions_livestream ON onair_sessions (livestream_id, ordinal)`
  yield* sql`CREATE INDEX onair_sessions_started ON onair_sessions (account_id, app_id, started_at) WHERE started_at IS NOT NULL`
  yield* sql`
    CREATE TABLE onair_ingests (
      id text PRIMARY KEY,
      connected boolean NOT NULL,
      state jsonb NOT NULL
    )`
  yield* sql`CREATE INDEX onair_ingests_connected ON onair_ingests (id) WHERE connected`
  yield* sql`
    CREATE TABLE onair_meetings (
      id text PRIMARY KEY,
      ordinal bigint NOT NULL,
      account_id text NOT NULL,
      app_id text NOT NULL,
      state jsonb NOT NULL
    )`
  yield* sql`CREATE INDEX onair_meetings_app ON onair_meetings (account_id, app_id, ordinal)`
  yield* sql`
    CREATE TABLE onair_meeting_sessions (
      meeting_session_id text PRIMARY KEY,
      meeting_id text NOT NULL,
      account_id text NOT NULL,
      app_id text NOT NULL,
      opened_at timestamptz NOT NULL,
      closed_at timestamptz
    )`
  yield* sql`CREATE INDEX onair_meeting_sessions_app ON onair_meeting_sessions (account_id, app_id, opened_at)`
})

/**
 * How many livestreams each app has in each status (deleted ones not counted), kept with the rows, so a
 * list's total is one indexed read however many livestreams the app has.
 */
const createLivestreamCounts = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_livestream_counts (
      account_id text NOT NULL,
      app_id text NOT NULL,
      status text NOT NULL,
      livestreams bigint NOT NULL,
      PRIMARY KEY (account_id, app_id, status)
    )`
  // Filled from the rows already there (the projection keeps it from here on, in the same transactions).
  yield* sql`
    INSERT INTO onair_livestream_counts (account_id, app_id, status, livestreams)
    SELECT account_id, app_id, status, count(*) FROM onair_livestreams WHERE NOT deleted GROUP BY account_id, app_id, status`
})

/**
 * Analytics per app per day: each settled session (stopped, media gone) counted once on the day its media
 * started, so analytics read a row per day plus the sessions still open. The tables are emptied and the
 * projection starts again from the log, so every session is counted from its first event.
 */
const createSessionDays = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_session_days (
      account_id text NOT NULL,
      app_id text NOT NULL,
      day bigint NOT NULL,
      sessions bigint NOT NULL,
      ingest_seconds bigint NOT NULL,
      viewer_seconds bigint NOT NULL,
      recording_millis bigint NOT NULL,
      PRIMARY KEY (account_id, app_id, day)
    )`
  yield* sql`ALTER TABLE onair_sessions ADD COLUMN settled boolean NOT NULL DEFAULT false`
  yield* sql`
    CREATE INDEX onair_sessions_unsettled ON onair_sessions (account_id, app_id, started_at)
    WHERE started_at IS NOT NULL AND NOT settled`
  // The tables as they were then (later migrations add more).
  yield* sql.unsafe(`TRUNCATE ${TABLES.slice(0, 7).join(", ")}`)
  yield* sql`DELETE FROM onair_checkpoints WHERE consumer = 'catalog'`
})

/**
 * API tokens and webhook endpoints as tables of the catalog. The projection starts again from the log (as
 * for the session days), so the new tables are filled from their streams' first events.
 */
const createAccess = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_access_tokens (
      id text PRIMARY KEY,
      account_id text NOT NULL,
      revoked boolean NOT NULL,
      state jsonb NOT NULL
    )`
  yield* sql`
    CREATE TABLE onair_webhook_endpoints (
      id text PRIMARY KEY,
      ordinal bigint NOT NULL,
      account_id text NOT NULL,
      app_id text NOT NULL,
      deleted boolean NOT NULL,
      state jsonb NOT NULL
    )`
  yield* sql`CREATE INDEX onair_webhook_endpoints_app ON onair_webhook_endpoints (account_id, app_id, ordinal) WHERE NOT deleted`
  yield* sql.unsafe(`TRUNCATE ${TABLES.slice(0, 9).join(", ")}`)
  yield* sql`DELETE FROM onair_checkpoints WHERE consumer = 'catalog'`
})

/**
 * Media nodes: each ingest names the node holding it (earlier ones were on the one local node), the
 * projection keeps each node's state, and the leases nodes renew live beside them. Leases are written by
 * the nodes' heartbeats, not by the log: a rebuild leaves them as they are.
 */
const createMediaNodes = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`ALTER TABLE onair_ingests ADD COLUMN node_id text NOT NULL DEFAULT 'local'`
  yield* sql`CREATE INDEX onair_ingests_node_connected ON onair_ingests (node_id) WHERE connected`
  yield* sql`
    CREATE TABLE onair_media_nodes (
      id text PRIMARY KEY,
      status text NOT NULL,
      state jsonb NOT NULL
    )`
  yield* sql`
    CREATE TABLE onair_media_node_leases (
      node_id text PRIMARY KEY,
      boot_id text NOT NULL,
      heartbeat_at bigint NOT NULL,
      expires_at bigint NOT NULL,
      load jsonb NOT NULL,
      lost_claimed_until bigint,
      lost_handled boolean NOT NULL DEFAULT false
    )`
})

/** Recordings: one row per session's recording, by livestream and app, and by the node writing it. */
const createRecordings = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_recordings (
      id text PRIMARY KEY,
      ordinal bigint NOT NULL,
      livestream_id text NOT NULL,
      account_id text NOT NULL,
      app_id text NOT NULL,
      node_id text NOT NULL,
      phase text NOT NULL,
      deleted boolean NOT NULL,
      state jsonb NOT NULL
    )`
  yield* sql`CREATE INDEX onair_recordings_livestream ON onair_recordings (livestream_id, ordinal) WHERE NOT deleted`
  yield* sql`CREATE INDEX onair_recordings_app ON onair_recordings (account_id, app_id, ordinal) WHERE NOT deleted`
  yield* sql`CREATE INDEX onair_recordings_unsettled ON onair_recordings (node_id) WHERE phase IN ('Recording', 'Finalising')`
})

/**
 * What recording analytics, retention and the node sweep read of a recording without its state: when it
 * started, how long it is once ready, and where its files are (`local` or `s3` once ready). Rows written
 * before are filled from their states.
 */
const addRecordingFacts = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    ALTER TABLE onair_recordings
      ADD COLUMN started_at timestamptz,
      ADD COLUMN duration_seconds double precision,
      ADD COLUMN stored text`
  yield* sql`
    UPDATE onair_recordings SET
      started_at = to_timestamp((state->>'startedAt')::double precision / 1000),
      duration_seconds = (state->'phase'->'assets'->>'durationSeconds')::double precision,
      stored = CASE WHEN phase = 'Ready' THEN 'local' END`
  yield* sql`CREATE INDEX onair_recordings_started ON onair_recordings (account_id, app_id, started_at)`
})

/** Each app's settings (`appSettings-<account>.<app>`); retention reads the apps that keep recordings for a number of days. */
const createAppSettings = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_app_settings (
      id text PRIMARY KEY,
      account_id text NOT NULL,
      app_id text NOT NULL,
      retention_days integer,
      state jsonb NOT NULL
    )`
  yield* sql`CREATE INDEX onair_app_settings_retention ON onair_app_settings (retention_days) WHERE retention_days IS NOT NULL`
  yield* sql`CREATE INDEX onair_recordings_settled ON onair_recordings (account_id, app_id, started_at) WHERE NOT deleted AND phase IN ('Ready', 'Failed')`
})

/** Each livestream's restream targets (stream keys sealed in their states), and where each relay is. */
const createRestreamTargets = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_restream_targets (
      id text PRIMARY KEY,
      ordinal bigint NOT NULL,
      livestream_id text NOT NULL,
      account_id text NOT NULL,
      app_id text NOT NULL,
      relay text NOT NULL,
      session_id text,
      deleted boolean NOT NULL,
      state jsonb NOT NULL
    )`
  yield* sql`CREATE INDEX onair_restream_targets_livestream ON onair_restream_targets (livestream_id, ordinal) WHERE NOT deleted`
  yield* sql`CREATE INDEX onair_restream_targets_relaying ON onair_restream_targets (relay) WHERE relay IN ('Connecting', 'Live', 'Retrying')`
})

/**
 * Each relay's latest progress as its node samples it (bytes, bitrate, frames, speed): written by the
 * nodes' reports, not a projection of the log (a rebuild leaves it), one row per target.
 */
const createRelayProgress = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_relay_progress (
      target_id text PRIMARY KEY,
      session_id text NOT NULL,
      bytes bigint NOT NULL,
      bitrate_kbps double precision NOT NULL,
      frames bigint NOT NULL,
      speed double precision NOT NULL,
      sampled_at timestamptz NOT NULL
    )`
})

/** Each account's apps (`app-<account>.<app>`), listed in creation order and searched by name. */
const createApps = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_apps (
      id text PRIMARY KEY,
      ordinal bigint NOT NULL,
      account_id text NOT NULL,
      app_id text NOT NULL,
      name text NOT NULL,
      created_at timestamptz NOT NULL,
      state jsonb NOT NULL
    )`
  yield* sql`CREATE UNIQUE INDEX onair_apps_account ON onair_apps (account_id, app_id)`
  yield* sql`CREATE INDEX onair_apps_listed ON onair_apps (account_id, ordinal)`
})

/**
 * Each publisher's health as it was sampled (every few seconds while connected), for the chart of a
 * session's bitrate and frame rate; the projection keeps `HEALTH_HISTORY_DAYS` of it, by log time.
 */
/** The livestreams holding an SRT port: few (the port range bounds them), read by every node's poll. */
const indexSrtPorts = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`CREATE INDEX onair_livestreams_srt ON onair_livestreams (((state->>'srtPort')::integer)) WHERE state->>'srtPort' IS NOT NULL`
})

const indexComposers = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`CREATE INDEX onair_livestreams_composer ON onair_livestreams ((state->'composer'->>'node')) WHERE state->'composer'->>'node' IS NOT NULL`
})

/** The keyed hash of the key a rotation with grace left publishing (null: none). */
const addPreviousStreamKeys = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`ALTER TABLE onair_livestreams ADD COLUMN previous_stream_key text`
  yield* sql`CREATE INDEX onair_livestreams_previous_key ON onair_livestreams (previous_stream_key) WHERE previous_stream_key IS NOT NULL AND NOT deleted`
})

const createIngestHealth = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`
    CREATE TABLE onair_ingest_health (
      session_id text NOT NULL,
      at timestamptz NOT NULL,
      ingest_id text NOT NULL,
      width integer NOT NULL,
      height integer NOT NULL,
      video_bitrate double precision NOT NULL,
      audio_bitrate double precision NOT NULL,
      video_fps double precision NOT NULL,
      keyframe_interval double precision,
      PRIMARY KEY (session_id, at, ingest_id)
    )`
  yield* sql`CREATE INDEX onair_ingest_health_at ON onair_ingest_health (at)`
})

export const migrations = {
  "1_create_livestreams": createLivestreams,
  "2_create_catalog": createCatalog,
  "3_create_livestream_counts": createLivestreamCounts,
  "4_create_session_days": createSessionDays,
  "5_create_access": createAccess,
  "6_create_media_nodes": createMediaNodes,
  "7_create_recordings": createRecordings,
  "8_add_recording_facts": addRecordingFacts,
  "9_create_app_settings": createAppSettings,
  "10_create_restream_targets": createRestreamTargets,
  "11_create_relay_progress": createRelayProgress,
  "12_create_apps": createApps,
  "13_create_ingest_health": createIngestHealth,
  "14_index_srt_ports": indexSrtPorts,
  "15_index_composers": indexComposers,
  "16_add_previous_stream_keys": addPreviousStreamKeys
}

/** The catalog's tables, emptied together by a rebuild. */
export const TABLES = [
  "onair_livestreams",
  "onair_livestream_counts",
  "onair_sessions",
  "onair_ingests",
  "onair_meetings",
  "onair_meeting_sessions",
  "onair_session_days",
  "onair_access_tokens",
  "onair_webhook_endpoints",
  "onair_media_nodes",
  "onair_recordings",
  "onair_app_settings",
  "onair_restream_targets",
  "onair_apps",
  "onair_ingest_health"
] as const

export const MIGRATIONS_TABLE = "onair_catalog_migrations"

/** Applies the pending migrations; returns the ones it applied. */
export const run = Migrator.make({})({ loader: Migrator.fromRecord(migrations), table: MIGRATIONS_TABLE })
