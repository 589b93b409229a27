/**
 * The timer worker on a real store: a broadcast with no media ends at its start timeout; an encoder that
 * leaves and does not come back ends its session when the reconnect window expires.
 */
import { AccountId, AppId, EventStore, IngestId, LivestreamId, SessionId, StreamKey, Timestamp } from "@onair/core"
import { CommandHandler, EventSourcedReader, StreamKeyIndex, TimerWorker } from "@onair/event-store"
import { Clock, Effect, Fiber } from "effect"
import { assert, describe, it } from "vitest"
import { metadata } from "./support/Fixtures.ts"
import { useStore } from "./support/Runtime.ts"

const livestreamOf = (id: LivestreamId) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const index = yield* StreamKeyIndex.make
    return yield* EventSourcedReader.make(store, index.lookup).reader.livestream(id)
  })

describe("timer worker", () => {
  const { run } = useStore("embedded")

  it("ends a broadcast at its start timeout and a session when its reconnect window expires", async () => {
    const outcome = await run(Effect.scoped(Effect.gen(function*() {
      const commands = yield* CommandHandler.make()
      const now = Timestamp.make(yield* Clock.currentTimeMillis)
      const scope = { accountId: AccountId.make("acct_timers"), appId: AppId.make("app_1") }
      const base = { name: null, meetingId: null, videoConfig: null, limits: { startTimeoutSeconds: 1, maxDurationSeconds: 3600 } }
      const waiting = LivestreamId.make(crypto.randomUUID())
      const leaving = LivestreamId.make(crypto.randomUUID())
      const key = StreamKey.make(crypto.randomUUID().replaceAll("-", "") + "timer")
      yield* commands.handle({
        _tag: "CreateLivestream", livestreamId: waiting, at: now, ...scope, ...base,
        streamKey: StreamKey.make(crypto.randomUUID().replaceAll("-", "") + "other"), reconnectWindowSeconds: 60,
        sessionId: SessionId.make(crypto.randomUUID())
      }, metadata())
      yield* commands.handle({
        _tag: "CreateLivestream", livestreamId: leaving, at: now, ...scope, ...base,
        limits: { startTimeoutSeconds: 3600, maxDurationSeconds: 3600 }, streamKey: key, reconnectWindowSeconds: 1,
        sessionId: SessionId.make(crypto.randomUUID())
      }, metadata())
      const ingestId = IngestId.make(`nginx-${crypto.randomUUID()}`)
      yield* commands.handle({
        _tag: "Publish", at: now, ingestId, streamKey: key, publisher: { ip: "203.0.113.1", port: 1 },
        sessionId: SessionId.make(crypto.randomUUID())
      }, metadata())
      yield* commands.handle({ _tag: "Unpublish", at: now, ingestId }, metadata())

      const worker = yield* Effect.forkChild(TimerWorker.run({ tick: "100 millis" }).pipe(Effect.provideService(CommandHandler, commands)))
      let waited = yield* livestreamOf(waiting)
      let left = yield* livestreamOf(leaving)
      for (let i = 0; i < 60 && (waited?.lastBroadcast == null || left?.lastBroadcast == null); i++) {
        yield* Effect.sleep("100 millis")
        waited = yield* livestreamOf(waiting)
        left = yield* livestreamOf(leaving)
      }
      yield* Fiber.interrupt(worker)
      return { waited, left }
    })))
    assert.strictEqual(outcome.waited?.lastBroadcast?.reason, "start timeout")
    assert.strictEqual(outcome.waited?.broadcast._tag, "Idle")
    assert.strictEqual(outcome.left?.lastBroadcast?.reason, "reconnection window expired")
  })
})
