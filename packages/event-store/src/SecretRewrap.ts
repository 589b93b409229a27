/**
 * `onair secrets rewrap`: every secret stored in the log re-encrypted under the keyring's current key, so
 * that an old key can be dropped from `ONAIR_SECRET_KEY` (rotation), and any secret written in clear by an
 * OnAir older than encryption at rest is sealed. Only the stored form of those fields changes; what every
 * reader sees is the same before and after. Batches commit one by one, so a run that stops half-way is
 * finished by running it again.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import * as SecretFields from "./SecretFields.ts"
import { isEncrypted, SECRET_FIELDS, SecretKeyring } from "./SecretKeyring.ts"
import * as SecretKeysInUse from "./SecretKeysInUse.ts"

const BATCH = 500

interface Row {
  readonly global_position: string
  readonly stream_name: string
  readonly data: unknown
}

export interface RewrapResult {
  /** Events holding a secret field. */
  readonly examined: number
  /** Of those, the ones whose stored form changed. */
  readonly rewrapped: number
}

export const run = Effect.gen(function* () {
  const sql = yield* SqlClient
  const keyring = yield* SecretKeyring
  let after = "0"
  let examined = 0
  let rewrapped = 0
  for (;;) {
    const rows = yield* sql<Row>`
      SELECT e.global_position::text AS global_position, e.stream_name, e.data FROM onair_events e
      WHERE e.global_position > ${after}::bigint
        AND (e.data ->> 'streamKey' IS NOT NULL OR e.data ->> 'secret' IS NOT NULL)
      -- The column, not the output's text of it: "10" sorts before "9", and a page would skip events.
      ORDER BY e.global_position
      LIMIT ${BATCH}`
    if (rows.length === 0) break
    const changes: Array<{ readonly position: string; readonly data: string }> = []
    for (const row of rows) {
      const data = typeof row.data === "string" ? (JSON.parse(row.data) as unknown) : row.data
      const current = data as Record<string, unknown>
      const stale = SECRET_FIELDS.some(
        (field) =>
          typeof current[field] === "string" &&
          (!isEncrypted(current[field]) || keyring.keyIdOf(current[field] as string) !== keyring.currentKeyId)
      )
      if (!stale) continue
      const opened = SecretFields.open(keyring, row.stream_name, data)
      if ("error" in opened) return yield* Effect.fail(new Error(`cannot rewrap: ${opened.error}`))
      changes.push({
        position: row.global_position,
        data: JSON.stringify(SecretFields.seal(keyring, row.stream_name, opened.data))
      })
    }
    if (changes.length > 0) {
      yield* sql`
        UPDATE onair_events AS e SET data = c.data::jsonb
        FROM jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) AS c(position bigint, data text)
        WHERE e.global_position = c.position`
    }
    examined += rows.length
    rewrapped += changes.length
    after = rows.at(-1)!.global_position
  }
  // Every secret is under the current key now: a process without the old keys reads the whole log.
  yield* SecretKeysInUse.keepOnly(keyring.currentKeyId)
  return { examined, rewrapped } satisfies RewrapResult
})
