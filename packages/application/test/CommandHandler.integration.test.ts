/**
 * The command path on a real store: decide from folded streams, append against the versions read, retry
 * on conflicts, answer repeats with the first result, and publish decisions through the stream-key index.
 */
import {
  AccountId,
  AppId,
  EventStore,
  IngestId,
  LivestreamId,
  type Signal,
  SessionId,
  StreamKey,
  Timestamp,
  LOCAL_MEDIA_NODE
} from "@onair/core"
import { CommandHandler, EventSourcedReader, StreamKeyIndex, StreamKeys } from "@onair/application"
import { Effect, Result } from "effect"
import { assert, describe, it } from "vitest"
import { metadata, STORE_KINDS, untilReadable, useStore } from "@onair/event-store/testing"

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0)
const at = (seconds: number) => Timestamp.make(T0 + seconds * 1000)
const uuid = () => crypto.randomUUID()
const newKey = () => StreamKey.make(`${crypto.randomUUID().replaceAll("-", "")}k`)

const create = (livestreamId: LivestreamId, streamKey: StreamKey): Signal => ({
  _tag: "CreateLivestream",
  livestreamId,
  at: at(0),
  accountId: AccountId.make("acct_1"),
  appId: AppId.make("app_1"),
  name: "Launch",
  meetingId: null,
  videoConfig: null,
  streamKey,
  reconnectWindowSeconds: 60,
  limits: { startTimeoutSeconds: 600, maxDurationSeconds: 3600 },
  sessionId: SessionId.make(uuid())
})

const publish = (streamKey: StreamKey, seconds: number): Signal => ({
  _tag: "Publish",
  nodeId: LOCAL_MEDIA_NODE,
  nodeRegion: null,
  nodeAccepting: true,
  at: at(seconds),
  ingestId: IngestId.make(`nginx-${uuid()}`),
  streamKey,
  publisher: { ip: "203.0.113.7", port: 51234 },
  sessionId: SessionId.make(uuid())
})

const handler = (options?: Parameters<typeof CommandHandler.make>[0]) =>
  Effect.flatMap(Effect.provide(CommandHandler.make(options), StreamKeys.inMemory), (commands) =>
    Effect.succeed(commands)
  )

const livestreamState = (id: LivestreamId) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const index = yield* StreamKeyIndex.make
    return yield* EventSourcedReader.make(store, index.lookup).reader.livestream(id)
  })

for (const kind of STORE_KINDS) {
  describe(`command path: ${kind}`, () => {
    const { run } = useStore(kind)

    it("creates a livestream: its stream and its first session's, appended together", async () => {
      const id = LivestreamId.make(uuid())
      const outcome = await run(
        Effect.gen(function* () {
          const commands = yield* handler()
          const handled = yield* commands.handle(create(id, newKey()), metadata())
          return { handled, state: yield* livestreamState(id) }
        })
      )
      assert.deepStrictEqual(
        outcome.handled.changes.map((c) => `${c.kind}:${c.event._tag}`),
        ["livestream:LivestreamCreated", "livestream:BroadcastInvoked", "session:SessionInvoked"]
      )
      assert.strictEqual(outcome.handled.append?.streams.length, 2)
      assert.strictEqual(outcome.state?.name, "Launch")
    })

    it("answers a repeated command id with the first result and decides nothing again", async () => {
      const id = LivestreamId.make(uuid())
      const meta = metadata()
      const outcome = await run(
        Effect.gen(function* () {
          const commands = yield* handler()
          const first = yield* commands.handle(create(id, newKey()), meta)
          const repeat = yield* commands.handle(create(id, newKey()), meta)
          const store = yield* EventStore
          return { first, repeat, read: yield* store.readStream(`livestream-${id}`) }
        })
      )
      assert.isTrue(outcome.repeat.append?.duplicate)
      assert.deepStrictEqual(outcome.repeat.changes, [])
      assert.deepStrictEqual(outcome.repeat.append?.streams, outcome.first.append?.streams)
      assert.strictEqual(outcome.read.version, 2)
    })

    it("returns the domain's typed error and appends nothing", async () => {
      const id = LivestreamId.make(uuid())
      const error = await run(
        Effect.gen(function* () {
          const commands = yield* handler()
          return yield* Effect.flip(
            commands.handle({ _tag: "RenameLivestream", livestreamId: id, at: at(1), name: "x" }, metadata())
          )
        })
      )
      assert.strictEqual(error._tag, "LivestreamNotFound")
    })

    it("decides publishes through the stream-key index: current key in, rotated-away key out", async () => {
      const id = LivestreamId.make(uuid())
      const oldKey = newKey()
      const currentKey = newKey()
      const outcome = await run(
        Effect.gen(function* () {
          const commands = yield* handler()
          yield* commands.handle(create(id, oldKey), metadata())
          const rotated = yield* commands.handle(
            { _tag: "RotateStreamKey", livestreamId: id, at: at(1), streamKey: currentKey },
            metadata()
          )
          // The in-memory index reads the log as a subscription does: on PostgreSQL, below the oldest
          // transaction of the whole server, which a test beside this one may hold open a moment.
          yield* untilReadable(rotated.append?.transaction ?? 0)
          const refused = yield* commands.handle(publish(oldKey, 2), metadata())
          const accepted = yield* commands.handle(publish(currentKey, 3), metadata())
          return { refused, accepted, state: yield* livestreamState(id) }
        })
      )
      assert.deepInclude(outcome.refused.changes.map((c) => c.event)[0], {
        _tag: "IngestRefused",
        reason: "unknown key"
      })
      assert.include(
        outcome.accepted.changes.map((c) => c.event._tag),
        "IngestAccepted"
      )
      assert.strictEqual(outcome.state?.broadcast._tag, "Connected")
    })

    it("retries conflicting commands on one livestream so that none is lost", async () => {
      const id = LivestreamId.make(uuid())
      const writers = 12
      const outcome = await run(
        Effect.gen(function* () {
          const commands = yield* handler({ maxAttempts: 50 })
          yield* commands.handle(create(id, newKey()), metadata())
          yield* Effect.forEach(
            Array.from({ length: writers }, (_, i) => i),
            (i) =>
              commands.handle({ _tag: "SetReconnectWindow", livestreamId: id, at: at(10), seconds: i + 1 }, metadata()),
            { concurrency: "unbounded" }
          )
          const store = yield* EventStore
          return yield* store.readStream(`livestream-${id}`)
        })
      )
      const changed = outcome.events.filter((e) => e.type === "ReconnectWindowChanged")
      assert.strictEqual(changed.length, writers)
      assert.deepStrictEqual(
        outcome.events.map((e) => e.version),
        outcome.events.map((_, i) => i + 1)
      )
    })

    it("gives up after its attempts with a typed conflict, and what it gave up on left no trace", async () => {
      const id = LivestreamId.make(uuid())
      const outcome = await run(
        Effect.gen(function* () {
          const commands = yield* handler({ maxAttempts: 1 })
          yield* commands.handle(create(id, newKey()), metadata())
          const results = yield* Effect.forEach(
            Array.from({ length: 8 }, (_, i) => i),
            (i) =>
              Effect.result(
                commands.handle(
                  { _tag: "SetReconnectWindow", livestreamId: id, at: at(10), seconds: i + 1 },
                  metadata()
                )
              ),
            { concurrency: "unbounded" }
          )
          const store = yield* EventStore
          return { results, read: yield* store.readStream(`livestream-${id}`) }
        })
      )
      const succeeded = outcome.results.filter(Result.isSuccess).length
      for (const result of outcome.results) {
        if (Result.isFailure(result)) assert.strictEqual(result.failure._tag, "CommandConflict")
      }
      assert.isAtLeast(succeeded, 1)
      assert.strictEqual(outcome.read.events.filter((e) => e.type === "ReconnectWindowChanged").length, succeeded)
    })
  })
}
