/**
 * Projections: kept up to date by a subscription, each batch applied with its checkpoint in one
 * transaction, and rebuilt from the start of the log with one call to the same rows.
 */
import { EventStore } from "@onair/core"
import { Projection } from "@onair/event-store"
import { Effect, Fiber } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { assert, describe, it } from "vitest"
import { eventually } from "./support/Eventually.ts"
import { events, metadata, uniqueStream } from "./support/Fixtures.ts"
import { useStore } from "./support/Runtime.ts"
import { STORE_KINDS } from "./support/TestDatabases.ts"

/** Events per type and the last position seen: a small read model in a table of its own. */
const countsByType = (table: string): Projection.Projection<unknown, SqlClient> => ({
  name: `test-${table}`,
  apply: (batch) =>
    Effect.gen(function* () {
      const sql = yield* SqlClient
      for (const event of batch) {
        yield* sql`
          INSERT INTO ${sql(table)} (event_type, count) VALUES (${event.type}, 1)
          ON CONFLICT (event_type) DO UPDATE SET count = ${sql(table)}.count + 1`
      }
    }),
  reset: Effect.flatMap(Effect.service(SqlClient), (sql) => sql`DELETE FROM ${sql(table)}`)
})

const readCounts = (table: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const rows = yield* sql<{ event_type: string; count: number }>`
      SELECT event_type, count::int AS count FROM ${sql(table)} ORDER BY event_type`
    return Object.fromEntries(rows.map((row) => [row.event_type, row.count]))
  })

const createTable = (table: string) =>
  Effect.flatMap(
    Effect.service(SqlClient),
    (sql) => sql`CREATE TABLE ${sql(table)} (event_type text PRIMARY KEY, count bigint NOT NULL)`
  )

for (const kind of STORE_KINDS) {
  describe(`projections: ${kind}`, () => {
    const { run } = useStore(kind)

    it("follows the log live, and a rebuild from zero gives the same rows", async () => {
      const table = `counts_${Math.random().toString(36).slice(2, 8)}`
      const projection = countsByType(table)
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* createTable(table)
          const stream = uniqueStream("projected")
          yield* store.append(stream, 0, events("Before", 3), metadata())
          const live = yield* Effect.forkChild(Projection.run(projection, { pollInterval: "10 millis" }))
          yield* store.append(stream, 3, events("After", 2), metadata())
          const last = yield* store.append(uniqueStream("other"), 0, events("Before", 1), metadata())
          // Wait for the live projection to reach the log's end: past the last append (on PostgreSQL the log
          // reads below the oldest transaction of the whole server, which a test beside this one may hold).
          yield* eventually(
            "the projection at the log's end",
            Effect.map(store.loadCheckpoint(projection.name), (checkpoint) =>
              checkpoint.transaction >= last.transaction ? true : undefined
            )
          )
          const counts = yield* readCounts(table)
          yield* Fiber.interrupt(live)
          const sql = yield* SqlClient
          // Damage the read model; a rebuild must restore it from the log alone.
          yield* sql`UPDATE ${sql(table)} SET count = 999`
          const position = yield* Projection.rebuild(projection)
          return {
            live: counts,
            rebuilt: yield* readCounts(table),
            position,
            checkpoint: yield* store.loadCheckpoint(projection.name)
          }
        })
      )
      assert.deepStrictEqual(outcome.rebuilt, outcome.live)
      assert.isAtLeast(outcome.live["Before"] ?? 0, 4)
      assert.strictEqual(outcome.live["After"], 2)
      assert.deepStrictEqual(outcome.checkpoint, outcome.position)
    })

    it("applies a batch and its checkpoint together: a failing batch leaves neither", async () => {
      const table = `counts_${Math.random().toString(36).slice(2, 8)}`
      const good = countsByType(table)
      const failing: Projection.Projection<unknown, SqlClient> = {
        ...good,
        apply: (batch) => Effect.andThen(good.apply(batch), Effect.fail("the read model refused the batch"))
      }
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* createTable(table)
          yield* Projection.catchUp(good)
          const before = yield* readCounts(table)
          const checkpoint = yield* store.loadCheckpoint(good.name)
          yield* store.append(uniqueStream("atomic"), 0, events("Atomic", 2), metadata())
          const error = yield* Effect.flip(Projection.catchUp(failing))
          return {
            error,
            before,
            after: yield* readCounts(table),
            checkpoint,
            checkpointAfter: yield* store.loadCheckpoint(good.name)
          }
        })
      )
      assert.strictEqual(outcome.error, "the read model refused the batch")
      assert.deepStrictEqual(outcome.after, outcome.before)
      assert.deepStrictEqual(outcome.checkpointAfter, outcome.checkpoint)
    })
  })
}
