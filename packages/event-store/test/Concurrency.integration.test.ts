/**
 * Concurrent writers and a live subscription: no gaps, no duplicates, each stream in order; conflicting
 * appends to one stream have exactly one winner per version. And the reason the global order is by
 * transaction: a sequence value taken early can commit late.
 */
import { EventStore, LOG_START, type StoredEvent, WrongExpectedVersion } from "@onair/core"
import { Subscription } from "@onair/event-store"
import { Deferred, Effect, Fiber, Result } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { assert, describe, it } from "vitest"
import { event, events, metadata, uniqueStream } from "./support/Fixtures.ts"
import { eventually } from "./support/Eventually.ts"
import { readLog } from "./support/ReadLog.ts"
import { useStore } from "./support/Runtime.ts"
import { STORE_KINDS } from "./support/TestDatabases.ts"

const WRITERS = 16
const APPENDS_PER_WRITER = 40

for (const kind of STORE_KINDS) {
  describe(`concurrency: ${kind}`, () => {
    const { run } = useStore(kind)

    it(`${WRITERS} writers on shared and own streams while a subscription consumes: every event once, in order`, async () => {
      const consumer = uniqueStream("consumer")
      const shared = [uniqueStream("shared-a"), uniqueStream("shared-b")]
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const delivered: Array<StoredEvent> = []
          let written = 0
          const mine = new Set(shared)
          const subscription = yield* Effect.forkChild(
            Subscription.run(consumer, (batch) => Effect.sync(() => delivered.push(...batch)), {
              batchSize: 37,
              pollInterval: "20 millis"
            })
          )
          yield* Effect.forEach(
            Array.from({ length: WRITERS }, (_, writer) => writer),
            (writer) =>
              Effect.gen(function* () {
                const own = uniqueStream(`own-${writer}`)
                mine.add(own)
                let count = 0
                for (let i = 0; i < APPENDS_PER_WRITER; i++) {
                  // Shared streams take "any": many writers, one order. Own streams check versions.
                  const target = i % 3 === 0 ? shared[i % 2]! : own
                  const expected = target === own ? count : "any"
                  const size = 1 + (i % 3)
                  yield* store.append(target, expected, events(`W${writer}`, size), metadata())
                  written += size
                  if (target === own) count += size
                }
              }),
            { concurrency: "unbounded" }
          )
          // Everything written is delivered: wait until the subscription has caught up with the log. On
          // PostgreSQL the log reads below the oldest transaction of the whole server, which a test beside
          // this one may hold open a moment: the log counts once it shows every event written here.
          const log = yield* eventually(
            "every event written readable",
            Effect.map(readLog, (log) =>
              log.filter((event) => mine.has(event.stream)).length >= written ? log : undefined
            )
          )
          const total = log.length
          yield* eventually(
            "every event delivered",
            Effect.sync(() => (delivered.length >= total ? true : undefined))
          )
          // Nothing more will come once the subscription's checkpoint is the log's end.
          const end = log.at(-1)!.position
          yield* eventually(
            "the subscription's checkpoint at the log's end",
            Effect.map(store.loadCheckpoint(consumer), (checkpoint) =>
              checkpoint.transaction === end.transaction && checkpoint.sequence === end.sequence ? true : undefined
            )
          )
          yield* Fiber.interrupt(subscription)
          return { delivered, total, checkpoint: yield* store.loadCheckpoint(consumer) }
        })
      )
      const ids = outcome.delivered.map((e) => e.id)
      assert.strictEqual(new Set(ids).size, ids.length, "no event delivered twice")
      assert.strictEqual(outcome.delivered.length, outcome.total, "no event skipped")
      const byStream = new Map<string, Array<number>>()
      for (const e of outcome.delivered) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e.version])
      for (const [stream, versions] of byStream) {
        assert.deepStrictEqual(
          versions,
          versions.map((_, i) => i + 1),
          `${stream} in order and gap-free`
        )
      }
      assert.deepStrictEqual(outcome.checkpoint, outcome.delivered.at(-1)!.position)
    })

    it('appends with "any" from many writers to one hot stream all land, in one gap-free order', async () => {
      const stream = uniqueStream("hot")
      const read = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* Effect.forEach(
            Array.from({ length: 24 }, (_, writer) => writer),
            (writer) =>
              Effect.forEach(
                Array.from({ length: 10 }, (_, i) => i),
                (i) => store.append(stream, "any", [event(`W${writer}`, i)], metadata()),
                { discard: true }
              ),
            { concurrency: "unbounded", discard: true }
          )
          return yield* store.readStream(stream)
        })
      )
      assert.strictEqual(read.version, 240)
      assert.deepStrictEqual(
        read.events.map((e) => e.version),
        Array.from({ length: 240 }, (_, i) => i + 1)
      )
    })

    it("conflicting appends to one stream: exactly one winner per version", async () => {
      const stream = uniqueStream("contended")
      const rounds = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const rounds = []
          for (let version = 0; version < 10; version++) {
            const results = yield* Effect.forEach(
              Array.from({ length: 8 }, (_, i) => i),
              (i) => Effect.result(store.append(stream, version, [event(`Racer${i}`, version)], metadata())),
              { concurrency: "unbounded" }
            )
            rounds.push(results)
          }
          return { rounds, read: yield* store.readStream(stream) }
        })
      )
      for (const results of rounds.rounds) {
        const winners = results.filter(Result.isSuccess)
        const losers = results.filter(Result.isFailure)
        assert.strictEqual(winners.length, 1)
        for (const loser of losers) assert.instanceOf(loser.failure, WrongExpectedVersion)
      }
      assert.strictEqual(rounds.read.version, 10)
    })
  })
}

describe("global order: a sequence value taken early can commit late (postgres)", () => {
  const { run } = useStore("postgres")

  it("readAll holds back a later transaction until an earlier one commits, and then delivers both", async () => {
    const early = uniqueStream("early")
    const late = uniqueStream("late")
    const outcome = await run(
      Effect.gen(function* () {
        const store = yield* EventStore
        const sql = yield* SqlClient
        const from = (yield* store.readAll(LOG_START, 100_000)).next
        const inserted = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        // Transaction A appends first, taking the lower global position, and stays open.
        const slow = yield* Effect.forkChild(
          sql.withTransaction(
            Effect.gen(function* () {
              yield* sql`
          INSERT INTO onair_events (stream_name, stream_version, event_type, data, metadata)
          VALUES (${early}, 1, 'Early', '{}', ${JSON.stringify(metadata())}::jsonb)`
              yield* Deferred.succeed(inserted, undefined)
              yield* Deferred.await(release)
            })
          )
        )
        yield* Deferred.await(inserted).pipe(Effect.timeout("10 seconds"))
        // Transaction B appends after it and commits first, with the higher global position.
        yield* store.append(late, 0, events("Late", 1), metadata())
        const naive = yield* sql<{ readonly stream_name: string }>`
        SELECT stream_name FROM onair_events WHERE global_position > ${from.sequence} ORDER BY global_position`
        const whileOpen = yield* store.readAll(from, 100)
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(slow)
        const afterCommit = yield* store.readAll(from, 100)
        return { naive: naive.map((r) => r.stream_name), whileOpen, afterCommit }
      })
    )
    // A reader going by sequence alone would take B now, move past A's position and never see A.
    assert.deepStrictEqual(outcome.naive, [late])
    assert.deepStrictEqual(outcome.whileOpen.events, [])
    assert.deepStrictEqual(
      outcome.afterCommit.events.map((e) => e.stream),
      [early, late]
    )
  })
})
