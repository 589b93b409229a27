/**
 * Which deployment keys the log holds secrets under (`onair_secret_keys`, one row per key id), so that a
 * process given a keyring without one of them refuses to start, instead of starting, reporting ready and
 * answering 500 on every read of a secret sealed under the key it lacks. That happens when two replicas on
 * one PostgreSQL are given different `ONAIR_SECRET_KEY`s, or none (each then makes its own key file).
 *
 * Each process checks the table, then records its own encrypting key, in one transaction under a lock on
 * the table: of two processes starting at once with different keys, the second sees the first's. The
 * table is written at start-up only, never per append. `onair secrets rewrap` leaves the current key alone
 * in it once every secret is under that key. The migration that made it filled it from the log once.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { type Keyring, SecretKeyUnavailable } from "./SecretKeyring.ts"

/** Fails with the keys the log holds secrets under that `keyring` does not hold; records its current key. */
export const checkAndRecord = (keyring: Keyring) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const missing = yield* sql
      .withTransaction(
        Effect.gen(function* () {
          yield* sql`LOCK TABLE onair_secret_keys IN SHARE ROW EXCLUSIVE MODE`
          const rows = yield* sql<{ key_id: string }>`SELECT key_id FROM onair_secret_keys ORDER BY key_id`
          const lacking = rows.map((row) => row.key_id).filter((id) => !keyring.holds(id))
          if (lacking.length === 0) {
            yield* sql`INSERT INTO onair_secret_keys (key_id) VALUES (${keyring.currentKeyId}) ON CONFLICT (key_id) DO NOTHING`
          }
          return lacking
        })
      )
      .pipe(
        Effect.mapError(
          (error) => new SecretKeyUnavailable({ message: `the log's keys could not be checked: ${error.message}` })
        )
      )
    if (missing.length > 0) {
      return yield* new SecretKeyUnavailable({
        message:
          `the log holds secrets sealed under key ${missing.join(", ")}, which ONAIR_SECRET_KEY (or the data ` +
          "directory's secret.key) does not hold: give every process of this deployment the same ONAIR_SECRET_KEY " +
          '(docs/operations.md, "Several replicas")'
      })
    }
  })

/** After a rewrap put every secret under the current key: the others are no longer needed to read the log. */
export const keepOnly = (currentKeyId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    yield* sql`INSERT INTO onair_secret_keys (key_id) VALUES (${currentKeyId}) ON CONFLICT (key_id) DO NOTHING`
    yield* sql`DELETE FROM onair_secret_keys WHERE key_id <> ${currentKeyId}`
  })
