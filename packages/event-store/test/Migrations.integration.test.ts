/**
 * Migrations: applied once at start-up, recorded, a no-op the second time, and a later migration keeps
 * every event written under an earlier one.
 */
import { Migrations } from "@onair/event-store"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as Migrator from "effect/sql/Migrator"
import { SqlClient } from "effect/sql/SqlClient"
import { assert, describe, it } from "vitest"
import { PgClient } from "@effect/sql-pg"
import { EmbeddedDatabase } from "@onair/event-store"
import { freshDataDir, freshPostgresUrl, STORE_KINDS, type StoreKind } from "./support/TestDatabases.ts"

const sqlFor = (kind: StoreKind) =>
  kind === "postgres"
    ? Layer.unwrap(
        Effect.map(freshPostgresUrl, (url) => PgClient.layer({ url: Redacted.make(url), maxConnections: 2 }))
      )
    : Layer.unwrap(Effect.map(freshDataDir, (dir) => EmbeddedDatabase.layer(dir)))

const firstOnly = Migrator.make({})({
  loader: Migrator.fromRecord({ "1_create_event_log": Migrations.migrations["1_create_event_log"] }),
  table: Migrations.MIGRATIONS_TABLE
})

for (const kind of STORE_KINDS) {
  describe(`migrations: ${kind}`, () => {
    it("applies each migration once, keeps events written before a later one, and records them all", async () => {
      const runtime = ManagedRuntime.make(sqlFor(kind))
      try {
        const outcome = await runtime.runPromise(
          Effect.gen(function* () {
            const sql = yield* SqlClient
            const first = yield* firstOnly
            // An event written by a version of OnAir that had only the first migration.
            yield* sql`
            INSERT INTO onair_events (stream_name, stream_version, event_type, data, metadata)
            VALUES ('old-1', 1, 'Old', '{"kept":true}', '{"commandId":"old"}'),
                   ('old-2', 1, 'Old', '{"streamKey":"enc:v1:0a1b2c3d:AAAA"}', '{"commandId":"old-2"}')`
            const rest = yield* Migrations.run
            // The keys the log's secrets are sealed under, filled from the log by migration 5.
            const keys = yield* sql<{ key_id: string }>`SELECT key_id FROM onair_secret_keys`
            const again = yield* Migrations.run
            const events = yield* sql<{ event_type: string; data: unknown }>`SELECT event_type, data FROM onair_events`
            const recorded = yield* sql<{ migration_id: number }>`
            SELECT migration_id FROM ${sql(Migrations.MIGRATIONS_TABLE)} ORDER BY migration_id`
            return {
              first,
              rest,
              again,
              events,
              keys: keys.map((row) => row.key_id),
              recorded: recorded.map((r) => Number(r.migration_id))
            }
          })
        )
        assert.deepStrictEqual(
          outcome.first.map(([id]) => id),
          [1]
        )
        assert.deepStrictEqual(
          outcome.rest.map(([id]) => id),
          [2, 3, 4, 5]
        )
        assert.deepStrictEqual(outcome.again, [])
        assert.deepStrictEqual(outcome.keys, ["0a1b2c3d"])
        assert.strictEqual(outcome.events.length, 2)
        assert.strictEqual(outcome.events[0]?.event_type, "Old")
        assert.deepStrictEqual(
          outcome.recorded,
          Object.keys(Migrations.migrations).map((key) => Number(key.split("_")[0]))
        )
      } finally {
        await runtime.dispose()
      }
    })
  })
}
