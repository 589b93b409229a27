/**
 * The EventStore contract: one suite, run against every implementation.
 */
import { comparePositions, EventStore, LOG_START, type Position } from "@onair/core"
import { Effect, Fiber } from "effect"
import { assert, describe, it } from "vitest"
import { event, events, metadata, uniqueStream } from "./support/Fixtures.ts"
import { eventually } from "./support/Eventually.ts"
import { readLog } from "./support/ReadLog.ts"
import { visibleEnd } from "./support/VisibleEnd.ts"
import { useStore } from "./support/Runtime.ts"
import { STORE_KINDS } from "./support/TestDatabases.ts"

for (const kind of STORE_KINDS) {
  describe(`EventStore contract: ${kind}`, () => {
    const { run } = useStore(kind)

    it("appends to a new stream and reads it back in order, with metadata", async () => {
      const stream = uniqueStream("order")
      const meta = metadata()
      const result = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          return yield* store.append(stream, 0, events("Happened", 3), meta)
        })
      )
      assert.deepStrictEqual(result.streams, [{ stream, version: 3 }])
      assert.isFalse(result.duplicate)
      const read = await run(Effect.flatMap(Effect.service(EventStore), (store) => store.readStream(stream)))
      assert.strictEqual(read.version, 3)
      assert.deepStrictEqual(
        read.events.map((e) => e.version),
        [1, 2, 3]
      )
      assert.deepStrictEqual(
        read.events.map((e) => (e.data as { n: number }).n),
        [0, 1, 2]
      )
      const sequences = read.events.map((e) => e.position.sequence)
      assert.deepStrictEqual(
        sequences,
        [...sequences].sort((a, b) => a - b),
        "global order follows stream order"
      )
      for (const stored of read.events) {
        assert.strictEqual(stored.stream, stream)
        assert.strictEqual(stored.type, "Happened")
        assert.deepStrictEqual(stored.metadata, meta)
        assert.strictEqual(stored.position.transaction, result.transaction)
        assert.match(stored.id, /^[0-9a-f-]{36}$/)
      }
    })

    it("reads a stream after a version", async () => {
      const stream = uniqueStream("after")
      const read = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* store.append(stream, 0, events("E", 5), metadata())
          return yield* store.readStream(stream, { afterVersion: 3 })
        })
      )
      assert.deepStrictEqual(
        read.events.map((e) => e.version),
        [4, 5]
      )
      assert.strictEqual(read.version, 5)
    })

    it("reads a stream that does not exist as version 0 and no events", async () => {
      const read = await run(
        Effect.flatMap(Effect.service(EventStore), (store) => store.readStream(uniqueStream("none")))
      )
      assert.deepStrictEqual(read, { version: 0, events: [] })
    })

    it("refuses an append at the wrong version with the actual version, and writes nothing", async () => {
      const stream = uniqueStream("conflict")
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* store.append(stream, 0, events("E", 2), metadata())
          // On PostgreSQL the log reads below the oldest transaction of the whole server: once this stream's
          // events read, everything before them does too, and nothing else writes to this database meanwhile.
          const before = (yield* eventually(
            "the stream's events readable",
            Effect.map(readLog, (log) => (log.some((event) => event.stream === stream) ? log : undefined))
          )).length
          const stale = yield* Effect.flip(store.append(stream, 1, events("Late", 1), metadata()))
          const recreate = yield* Effect.flip(store.append(stream, 0, events("Again", 1), metadata()))
          const ahead = yield* Effect.flip(store.append(stream, 7, events("Ahead", 1), metadata()))
          const after = (yield* readLog).length
          const read = yield* store.readStream(stream)
          return { stale, recreate, ahead, before, after, read }
        })
      )
      assert.deepInclude(outcome.stale, { _tag: "WrongExpectedVersion", stream, expected: 1, actual: 2 })
      assert.deepInclude(outcome.recreate, { _tag: "WrongExpectedVersion", stream, expected: 0, actual: 2 })
      assert.deepInclude(outcome.ahead, { _tag: "WrongExpectedVersion", stream, expected: 7, actual: 2 })
      assert.strictEqual(outcome.after, outcome.before)
      assert.strictEqual(outcome.read.version, 2)
    })

    it("refuses an expected version on a stream that does not exist", async () => {
      const stream = uniqueStream("missing")
      const error = await run(
        Effect.flatMap(Effect.service(EventStore), (store) =>
          Effect.flip(store.append(stream, 3, events("E", 1), metadata()))
        )
      )
      assert.deepInclude(error, { _tag: "WrongExpectedVersion", stream, expected: 3, actual: 0 })
    })

    it('appends with "any" whatever the version', async () => {
      const stream = uniqueStream("any")
      const read = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* store.append(stream, "any", events("E", 2), metadata())
          yield* store.append(stream, "any", events("E", 1), metadata())
          return yield* store.readStream(stream)
        })
      )
      assert.deepStrictEqual(
        read.events.map((e) => e.version),
        [1, 2, 3]
      )
    })

    it("appends to several streams all or nothing", async () => {
      const a = uniqueStream("unit-a")
      const b = uniqueStream("unit-b")
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* store.append(b, 0, events("B", 1), metadata())
          const refused = yield* Effect.flip(
            store.appendMany(
              [
                { stream: a, expectedVersion: 0, events: events("A", 2) },
                { stream: b, expectedVersion: 0, events: events("B", 1) }
              ],
              metadata()
            )
          )
          const afterRefusal = yield* store.readStream(a)
          const accepted = yield* store.appendMany(
            [
              { stream: a, expectedVersion: 0, events: events("A", 2) },
              { stream: b, expectedVersion: 1, events: events("B", 1) }
            ],
            metadata()
          )
          return { refused, afterRefusal, accepted, a: yield* store.readStream(a), b: yield* store.readStream(b) }
        })
      )
      assert.deepInclude(outcome.refused, { _tag: "WrongExpectedVersion", stream: b, expected: 0, actual: 1 })
      assert.strictEqual(outcome.afterRefusal.version, 0)
      assert.sameDeepMembers(
        [...outcome.accepted.streams],
        [
          { stream: a, version: 2 },
          { stream: b, version: 2 }
        ]
      )
      assert.strictEqual(outcome.a.version, 2)
      assert.strictEqual(outcome.b.version, 2)
      // One unit, one transaction: its events sit together in the global order, in the order given.
      assert.strictEqual(outcome.a.events[0]?.position.transaction, outcome.b.events[1]?.position.transaction)
      assert.isBelow(outcome.a.events[1]!.position.sequence, outcome.b.events[1]!.position.sequence)
    })

    it("stores a command's events once and returns the first result to a repeat", async () => {
      const stream = uniqueStream("idempotent")
      const meta = metadata()
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const first = yield* store.append(stream, 0, events("E", 2), meta)
          // A repeat with a stale expected version and other events still gets the first result.
          const repeat = yield* store.append(stream, 0, events("Other", 5), meta)
          return { first, repeat, read: yield* store.readStream(stream) }
        })
      )
      assert.isFalse(outcome.first.duplicate)
      assert.isTrue(outcome.repeat.duplicate)
      assert.deepStrictEqual(outcome.repeat.streams, outcome.first.streams)
      assert.strictEqual(outcome.repeat.transaction, outcome.first.transaction)
      assert.strictEqual(outcome.read.version, 2)
    })

    it("finds the result of a command id that appended, and nothing for one that did not", async () => {
      const meta = metadata()
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const before = yield* store.findCommand(meta.commandId)
          const first = yield* store.append(uniqueStream("find"), 0, events("E", 1), meta)
          return { before, first, found: yield* store.findCommand(meta.commandId) }
        })
      )
      assert.isUndefined(outcome.before)
      assert.deepStrictEqual(outcome.found, { ...outcome.first, duplicate: true })
    })

    it("reads what a command decides on in one call: its earlier append, and each stream as readStream does", async () => {
      const [a, b, missing] = [uniqueStream("decide-a"), uniqueStream("decide-b"), uniqueStream("decide-none")]
      const meta = metadata()
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* store.append(a, 0, events("A", 3), metadata())
          yield* store.append(b, 0, events("B", 1), metadata())
          const before = yield* store.readForCommand(meta.commandId, [a, b, missing])
          const first = yield* store.appendMany(
            [
              { stream: a, expectedVersion: 3, events: events("A", 1) },
              { stream: b, expectedVersion: 1, events: events("B", 2) }
            ],
            meta
          )
          const after = yield* store.readForCommand(meta.commandId, [])
          return { before, first, after, a: yield* store.readStream(a), b: yield* store.readStream(b) }
        })
      )
      assert.isUndefined(outcome.before.earlier)
      assert.deepStrictEqual([...outcome.before.streams.keys()].sort(), [a, b, missing].sort())
      const [readA, readB] = [outcome.before.streams.get(a)!, outcome.before.streams.get(b)!]
      assert.deepStrictEqual(readA, { version: 3, events: outcome.a.events.slice(0, 3) })
      assert.deepStrictEqual(readB, { version: 1, events: outcome.b.events.slice(0, 1) })
      assert.deepStrictEqual(outcome.before.streams.get(missing), { version: 0, events: [] })
      assert.deepStrictEqual(outcome.after.earlier, { ...outcome.first, duplicate: true })
    })

    it("stores a command's events once when repeats race", async () => {
      const stream = uniqueStream("race")
      const meta = metadata()
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const results = yield* Effect.forEach(
            Array.from({ length: 8 }),
            () => store.append(stream, "any", events("E", 1), meta),
            { concurrency: "unbounded" }
          )
          return { results, read: yield* store.readStream(stream) }
        })
      )
      assert.strictEqual(outcome.read.version, 1)
      assert.strictEqual(outcome.results.filter((r) => !r.duplicate).length, 1)
      assert.strictEqual(new Set(outcome.results.map((r) => r.transaction)).size, 1)
    })

    it("stores a command once when repeats race on different streams", async () => {
      const meta = metadata()
      const streams = Array.from({ length: 6 }, (_, i) => uniqueStream(`apart-${i}`))
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const results = yield* Effect.forEach(streams, (stream) => store.append(stream, 0, events("E", 1), meta), {
            concurrency: "unbounded"
          })
          const versions = yield* Effect.forEach(streams, (stream) =>
            Effect.map(store.readStream(stream), (r) => r.version)
          )
          return { results, versions }
        })
      )
      assert.strictEqual(
        outcome.versions.reduce((a, b) => a + b, 0),
        1
      )
      assert.strictEqual(outcome.results.filter((r) => !r.duplicate).length, 1)
      assert.strictEqual(new Set(outcome.results.map((r) => JSON.stringify(r.streams))).size, 1)
    })

    it("lets a command that was refused be tried again under the same id", async () => {
      const stream = uniqueStream("retry")
      const meta = metadata()
      const read = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* store.append(stream, 0, events("E", 1), metadata())
          yield* Effect.flip(store.append(stream, 0, events("Mine", 1), meta))
          const retried = yield* store.append(stream, 1, events("Mine", 1), meta)
          assert.isFalse(retried.duplicate)
          return yield* store.readStream(stream)
        })
      )
      assert.deepStrictEqual(
        read.events.map((e) => e.type),
        ["E", "Mine"]
      )
    })

    it("reads the whole log in one global order, page by page, each stream in its own order", async () => {
      const streams = [uniqueStream("log-a"), uniqueStream("log-b"), uniqueStream("log-c")]
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const start = yield* visibleEnd
          for (let round = 0; round < 4; round++) {
            for (const stream of streams) yield* store.append(stream, "any", [event("E", round)], metadata())
          }
          const readPages = Effect.gen(function* () {
            const pages = []
            let from = start
            for (;;) {
              const page = yield* store.readAll(from, 5)
              if (page.events.length === 0) return pages
              pages.push(page.events)
              from = page.next
            }
          })
          return yield* eventually(
            "every append readable",
            Effect.map(readPages, (pages) => (pages.flat().length >= 12 ? pages : undefined))
          )
        })
      )
      assert.deepStrictEqual(
        outcome.map((page) => page.length),
        [5, 5, 2]
      )
      const all = outcome.flat()
      for (let i = 1; i < all.length; i++) {
        assert.strictEqual(comparePositions(all[i - 1]!.position, all[i]!.position), -1)
      }
      for (const stream of streams) {
        assert.deepStrictEqual(
          all.filter((e) => e.stream === stream).map((e) => e.version),
          [1, 2, 3, 4]
        )
      }
    })

    it("never ends a page inside a transaction: a unit of work comes whole, whatever the page size", async () => {
      const streams = [uniqueStream("unit-a"), uniqueStream("unit-b")]
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const start = yield* visibleEnd
          // Three transactions: 1 event, then 7 over two streams, then 1.
          yield* store.append(streams[0]!, "any", [event("Before", 0)], metadata())
          yield* store.appendMany(
            [
              { stream: streams[0]!, expectedVersion: "any", events: events("Unit", 4) },
              { stream: streams[1]!, expectedVersion: "any", events: events("Unit", 3) }
            ],
            metadata()
          )
          yield* store.append(streams[1]!, "any", [event("After", 0)], metadata())
          const pagesOf = (size: number) =>
            Effect.gen(function* () {
              const pages: Array<ReadonlyArray<{ readonly position: { readonly transaction: number } }>> = []
              let from = start
              for (;;) {
                const page = yield* store.readAll(from, size)
                if (page.events.length === 0) return pages
                pages.push(page.events)
                from = page.next
              }
            })
          const whole = (size: number) =>
            eventually(
              "every append readable",
              Effect.map(pagesOf(size), (pages) => (pages.flat().length >= 9 ? pages : undefined))
            )
          return { one: yield* whole(1), two: yield* whole(2), three: yield* whole(3) }
        })
      )
      for (const [size, pages] of Object.entries(outcome)) {
        // Each transaction lies in one page.
        const pageOf = new Map<number, number>()
        for (const [index, page] of pages.entries()) {
          for (const e of page) {
            assert.strictEqual(pageOf.get(e.position.transaction) ?? index, index, `page size ${size}`)
            pageOf.set(e.position.transaction, index)
          }
        }
        assert.strictEqual(pages.flat().length, 9, `page size ${size}`)
      }
      assert.deepStrictEqual(
        outcome.one.map((page) => page.length),
        [1, 7, 1]
      )
    })

    it("reads one category of streams alone, in global order, and moves past the others' events", async () => {
      const tag = Math.random().toString(36).slice(2, 8)
      const mine = [`cat${tag}-a`, `cat${tag}-b`]
      const other = `oth${tag}-z`
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const start = yield* visibleEnd
          yield* store.append(mine[0]!, "any", [event("Mine", 1)], metadata())
          yield* store.append(other, "any", [event("Other", 1)], metadata())
          yield* store.appendMany(
            [
              { stream: mine[1]!, expectedVersion: "any", events: events("Mine", 3) },
              { stream: other, expectedVersion: "any", events: events("Other", 2) }
            ],
            metadata()
          )
          const last = yield* store.append(other, "any", [event("Other", 9)], metadata())
          const readPages = Effect.gen(function* () {
            const pages: Array<ReadonlyArray<{ readonly stream: string; readonly position: Position }>> = []
            let from = start
            for (;;) {
              const page = yield* store.readAll(from, 2, { category: `cat${tag}` })
              if (page.events.length === 0) return { pages, next: page.next, last: last.transaction }
              pages.push(page.events)
              from = page.next
            }
          })
          return yield* eventually(
            "every append readable",
            Effect.map(readPages, (read) =>
              read.pages.flat().length >= 4 && read.next.transaction >= read.last ? read : undefined
            )
          )
        })
      )
      const read = outcome.pages.flat()
      assert.deepStrictEqual(
        read.map((e) => e.stream),
        [mine[0], mine[1], mine[1], mine[1]]
      )
      for (let i = 1; i < read.length; i++)
        assert.strictEqual(comparePositions(read[i - 1]!.position, read[i]!.position), -1)
      // The unit of three came whole in one page, though the page size is 2.
      const unit = read[1]!.position.transaction
      assert.strictEqual(outcome.pages.filter((page) => page.some((e) => e.position.transaction === unit)).length, 1)
      // With nothing more of its own, the read has still gone past the other streams' last transaction.
      assert.isAtLeast(outcome.next.transaction, outcome.last)
    })

    it("keeps JSON data exactly: unicode, nesting, numbers, null, about 500 bytes", async () => {
      const stream = uniqueStream("json")
      const data = {
        title: 'Straße – 直播 🎥 "quoted" \\ back',
        nested: { deep: [1, 2.5, -3, null, true, { k: "v" }] },
        big: 9_007_199_254_740_991,
        empty: "",
        padding: "p".repeat(400)
      }
      const read = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* store.append(stream, 0, [{ type: "Json", data }], metadata())
          return yield* store.readStream(stream)
        })
      )
      assert.deepStrictEqual(read.events[0]?.data, data)
    })

    it("refuses malformed appends with a typed error and writes nothing", async () => {
      const errors = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          return [
            yield* Effect.flip(store.append("", 0, events("E", 1), metadata())),
            yield* Effect.flip(store.append(uniqueStream("neg"), -1, events("E", 1), metadata())),
            yield* Effect.flip(store.append(uniqueStream("frac"), 1.5, events("E", 1), metadata())),
            yield* Effect.flip(store.append(uniqueStream("type"), 0, [{ type: "", data: {} }], metadata())),
            yield* Effect.flip(
              store.appendMany(
                [
                  { stream: "twice", expectedVersion: 0, events: events("E", 1) },
                  { stream: "twice", expectedVersion: 0, events: events("E", 1) }
                ],
                metadata()
              )
            )
          ]
        })
      )
      for (const error of errors) assert.strictEqual(error._tag, "EventStoreFailed")
    })

    it("stores, loads, keeps monotonic and resets consumer checkpoints", async () => {
      const consumer = uniqueStream("consumer")
      const outcome = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const initial = yield* store.loadCheckpoint(consumer)
          yield* store.storeCheckpoint(consumer, { transaction: 10, sequence: 5 })
          const stored = yield* store.loadCheckpoint(consumer)
          yield* store.storeCheckpoint(consumer, { transaction: 9, sequence: 99 })
          const notBehind = yield* store.loadCheckpoint(consumer)
          yield* store.resetCheckpoint(consumer)
          const reset = yield* store.loadCheckpoint(consumer)
          return { initial, stored, notBehind, reset }
        })
      )
      assert.deepStrictEqual(outcome.initial, LOG_START)
      assert.deepStrictEqual(outcome.stored, { transaction: 10, sequence: 5 })
      assert.deepStrictEqual(outcome.notBehind, { transaction: 10, sequence: 5 })
      assert.deepStrictEqual(outcome.reset, LOG_START)
    })

    it("wakes a waiter when an append commits", async () => {
      const woke = await run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const seen = yield* store.appendCount
          const waiter = yield* Effect.forkChild(store.awaitAppendAfter(seen))
          yield* store.append(uniqueStream("wake"), 0, events("E", 1), metadata())
          yield* Fiber.join(waiter)
          return (yield* store.appendCount) > seen
        })
      )
      assert.isTrue(woke)
    })
  })
}
