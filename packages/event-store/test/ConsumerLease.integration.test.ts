/**
 * One runner per consumer name: leases on both stores, checkpoints refused to a runner without the lease,
 * and two runners of one subscription handing over without handling any event twice.
 */
import { EventStore, type StoredEvent } from "@onair/core"
import { Subscription } from "@onair/event-store"
import { Effect, Fiber } from "effect"
import { assert, describe, it } from "vitest"
import { events, metadata, uniqueStream } from "./support/Fixtures.ts"
import { eventually } from "./support/Eventually.ts"
import { readLog } from "./support/ReadLog.ts"
import { useStore } from "./support/Runtime.ts"
import { STORE_KINDS } from "./support/TestDatabases.ts"

for (const kind of STORE_KINDS) {
  describe(`consumer leases: ${kind}`, () => {
    const { run } = useStore(kind)

    it("gives a lease to one owner at a time, until it is released or expires", async () => {
      const consumer = uniqueStream("leased")
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const first = yield* store.acquireLease(consumer, "a", 60_000)
          const other = yield* store.acquireLease(consumer, "b", 60_000)
          const renewed = yield* store.acquireLease(consumer, "a", 60_000)
          yield* store.releaseLease(consumer, "a")
          const afterRelease = yield* store.acquireLease(consumer, "b", 50)
          // The lease's 50 ms run out on the database's own clock: real time under test.
          yield* Effect.sleep("120 millis")
          const afterExpiry = yield* store.acquireLease(consumer, "a", 60_000)
          return { first, other, renewed, afterRelease, afterExpiry }
        })
      )
      assert.deepStrictEqual(outcome, {
        first: true,
        other: false,
        renewed: true,
        afterRelease: true,
        afterExpiry: true
      })
    })

    it("stores an owner's checkpoint only while it holds the lease", async () => {
      const consumer = uniqueStream("guarded")
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* store.acquireLease(consumer, "holder", 60_000)
          yield* store.storeCheckpoint(consumer, { transaction: 5, sequence: 5 }, "holder")
          const refused = yield* Effect.flip(
            store.storeCheckpoint(consumer, { transaction: 9, sequence: 9 }, "intruder")
          )
          return { refused, checkpoint: yield* store.loadCheckpoint(consumer) }
        })
      )
      assert.deepInclude(outcome.refused, { _tag: "LeaseLost", consumer, owner: "intruder" })
      assert.deepStrictEqual(outcome.checkpoint, { transaction: 5, sequence: 5 })
    })

    it("two runners of one subscription: one works, the other takes over, no event handled twice", async () => {
      const consumer = uniqueStream("pair")
      const stream = uniqueStream("pair-events")
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const handled: Array<{ readonly runner: string; readonly event: StoredEvent }> = []
          const runner = (name: string) =>
            Subscription.run(
              consumer,
              (batch) =>
                Effect.sync(() => {
                  for (const event of batch) handled.push({ runner: name, event })
                }),
              {
                pollInterval: "10 millis",
                leaseTtl: "300 millis"
              }
            )
          // On PostgreSQL the log reads below the oldest transaction running on the whole server, which a test
          // beside this one may hold open a moment: a read counts once it shows every event appended here.
          let appended = 0
          const append = (type: string, count: number) =>
            Effect.map(store.append(stream, "any", events(type, count), metadata()), () => {
              appended += count
            })
          const visibleLog = Effect.map(readLog, (log) =>
            log.filter((event) => event.stream === stream).length >= appended ? log : undefined
          )
          const handledAll = Effect.map(visibleLog, (log) =>
            log !== undefined && handled.length >= log.length ? true : undefined
          )
          // Handled and checkpointed: what a runner stopped now has done stays done.
          const checkpointedAll = Effect.gen(function* () {
            const end = (yield* visibleLog)?.at(-1)?.position
            if (end === undefined) return undefined
            const checkpoint = yield* store.loadCheckpoint(consumer)
            return checkpoint.transaction === end.transaction && checkpoint.sequence === end.sequence ? true : undefined
          })
          const first = yield* Effect.forkChild(runner("first"))
          // The first holds the lease once it has handled what the log holds.
          yield* append("Before", 1)
          yield* eventually("the first runner at work", handledAll)
          const second = yield* Effect.forkChild(runner("second"))
          for (let i = 0; i < 10; i++) yield* append("Before", 3)
          yield* eventually("the first runner handling the log while the second waits", checkpointedAll)
          yield* Fiber.interrupt(first)
          for (let i = 0; i < 10; i++) yield* append("After", 3)
          const total = (yield* eventually("every event appended readable", visibleLog)).length
          yield* eventually("the second runner taking over", handledAll)
          yield* Fiber.interrupt(second)
          return { handled, total }
        })
      )
      const ids = outcome.handled.map((h) => h.event.id)
      assert.strictEqual(new Set(ids).size, ids.length, "no event handled twice")
      assert.strictEqual(ids.length, outcome.total, "every event handled")
      const runners = outcome.handled.map((h) => h.runner)
      assert.strictEqual(runners[0], "first")
      assert.strictEqual(runners.at(-1), "second")
      assert.deepStrictEqual(runners, [...runners].sort(), "the first handled a prefix, the second the rest")
    })
  })
}
