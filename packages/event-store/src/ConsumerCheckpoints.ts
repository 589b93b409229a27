/**
 * The SQL of consumer checkpoints and leases.
 *
 * A lease names the one runner of a consumer (its owner) until it expires; the owner renews it while it
 * runs. A checkpoint stored on behalf of an owner is stored only while the owner's lease is live, in the
 * same statement. So a runner that lost its lease (paused, partitioned) can no longer acknowledge anything,
 * and its successor starts from the last checkpoint its predecessor could store.
 */
import type { Position } from "@onair/core"
import { Effect } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

export const load = (sql: SqlClient, consumer: string): Effect.Effect<Position, SqlError> =>
  Effect.map(
    sql<{ readonly transaction_text: string; readonly global_position: bigint | number | string }>`
      SELECT transaction_id::text AS transaction_text, global_position FROM onair_checkpoints
      WHERE consumer = ${consumer}`,
    (rows) => {
      const row = rows[0]
      return row === undefined
        ? { transaction: 0, sequence: 0 }
        : { transaction: Number(row.transaction_text), sequence: Number(row.global_position) }
    }
  )

/** Stores a checkpoint that is ahead of the stored one. */
export const store = (sql: SqlClient, consumer: string, position: Position): Effect.Effect<void, SqlError> =>
  Effect.asVoid(sql`
    INSERT INTO onair_checkpoints AS c (consumer, transaction_id, global_position)
    VALUES (${consumer}, ${String(position.transaction)}::xid8, ${position.sequence})
    ON CONFLICT (consumer) DO UPDATE
      SET transaction_id = EXCLUDED.transaction_id, global_position = EXCLUDED.global_position, updated_at = now()
      WHERE (c.transaction_id, c.global_position) < (EXCLUDED.transaction_id, EXCLUDED.global_position)`)

/**
 * Stores a checkpoint only while `owner` holds the consumer's lease; returns whether the lease was held
 * (a position that is not ahead is ignored either way).
 */
export const storeHeld = (
  sql: SqlClient,
  consumer: string,
  position: Position,
  owner: string
): Effect.Effect<boolean, SqlError> =>
  Effect.map(
    sql<{ readonly held: boolean }>`
      WITH lease AS (
        SELECT 1 FROM onair_consumer_leases
        WHERE consumer = ${consumer} AND owner = ${owner} AND expires_at > clock_timestamp()
      ), stored AS (
        INSERT INTO onair_checkpoints AS c (consumer, transaction_id, global_position)
        SELECT ${consumer}, ${String(position.transaction)}::xid8, ${position.sequence} WHERE EXISTS (SELECT 1 FROM lease)
        ON CONFLICT (consumer) DO UPDATE
          SET transaction_id = EXCLUDED.transaction_id, global_position = EXCLUDED.global_position, updated_at = now()
          WHERE (c.transaction_id, c.global_position) < (EXCLUDED.transaction_id, EXCLUDED.global_position)
        RETURNING 1
      )
      SELECT EXISTS (SELECT 1 FROM lease) AS held`,
    (rows) => rows[0]?.held === true
  )

export const reset = (sql: SqlClient, consumer: string): Effect.Effect<void, SqlError> =>
  Effect.asVoid(sql`DELETE FROM onair_checkpoints WHERE consumer = ${consumer}`)

/** Takes the lease if it is free or expired, renews it if `owner` has it; true when `owner` holds it. */
export const acquireLease = (
  sql: SqlClient,
  consumer: string,
  owner: string,
  ttlMillis: number
): Effect.Effect<boolean, SqlError> =>
  Effect.map(
    sql<{ readonly owner: string }>`
      INSERT INTO onair_consumer_leases AS l (consumer, owner, expires_at)
      VALUES (${consumer}, ${owner}, clock_timestamp() + ${Math.max(1, Math.round(ttlMillis))} * interval '1 millisecond')
      ON CONFLICT (consumer) DO UPDATE
        SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
        WHERE l.owner = EXCLUDED.owner OR l.expires_at <= clock_timestamp()
      RETURNING owner`,
    (rows) => rows.length === 1
  )

export const releaseLease = (sql: SqlClient, consumer: string, owner: string): Effect.Effect<void, SqlError> =>
  Effect.asVoid(sql`DELETE FROM onair_consumer_leases WHERE consumer = ${consumer} AND owner = ${owner}`)
