/**
 * The timer worker on the live catalog and a real (embedded) store, wired as the main job wires it: a
 * broadcast with no media ends at its start timeout; an encoder that leaves and does not come back ends
 * its session when the reconnect window expires.
 */
import { LiveCatalog } from "@onair/catalog"
import {
  AccountId,
  AppId,
  IngestId,
  LivestreamId,
  originMetadata,
  SessionId,
  type Signal,
  StreamKey,
  Timestamp
} from "@onair/core"
import { Database } from "@onair/event-store"
import { CommandHandler, TimerWorker } from "@onair/application"
import { Clock, Effect, Fiber, Layer, ManagedRuntime } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, assert, describe, it } from "vitest"

const key = () => StreamKey.make(crypto.randomUUID().replaceAll("-", "") + "timer")

describe("timer worker", () => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-timers-"))
  const runtime = ManagedRuntime.make(
    Layer.merge(LiveCatalog.layer, CommandHandler.layer()).pipe(
      Layer.provideMerge(Database.layer({ _tag: "Embedded", dataDir }))
    )
  )
  afterAll(async () => {
    await runtime.dispose()
    Fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it("ends a broadcast at its start timeout and a session when its reconnect window expires", async () => {
    const outcome = await runtime.runPromise(Effect.gen(function*() {
      const commands = yield* CommandHandler
      const catalog = yield* LiveCatalog
      const now = Timestamp.make(yield* Clock.currentTimeMillis)
      const handle = (signal: Signal) => commands.handle(signal, originMetadata(`test:${crypto.randomUUID()}`, "test", now))
      const scope = { accountId: AccountId.make("acct_timers"), appId: AppId.make("app_1") }
      const base = { name: null, meetingId: null, videoConfig: null }
      const waiting = LivestreamId.make(crypto.randomUUID())
      const leaving = LivestreamId.make(crypto.randomUUID())
      const leavingKey = key()
      yield* handle({
        _tag: "CreateLivestream", livestreamId: waiting, at: now, ...scope, ...base, streamKey: key(),
        limits: { startTimeoutSeconds: 1, maxDurationSeconds: 3600 }, reconnectWindowSeconds: 60,
        sessionId: SessionId.make(crypto.randomUUID())
      })
      yield* handle({
        _tag: "CreateLivestream", livestreamId: leaving, at: now, ...scope, ...base, streamKey: leavingKey,
        limits: { startTimeoutSeconds: 3600, maxDurationSeconds: 3600 }, reconnectWindowSeconds: 1,
        sessionId: SessionId.make(crypto.randomUUID())
      })
      const ingestId = IngestId.make(`nginx-${crypto.randomUUID()}`)
      yield* handle({
        _tag: "Publish", at: now, ingestId, streamKey: leavingKey, publisher: { ip: "203.0.113.1", port: 1 },
        sessionId: SessionId.make(crypto.randomUUID())
      })
      yield* handle({ _tag: "Unpublish", at: now, ingestId })

      const worker = yield* Effect.forkChild(TimerWorker.run(
        { livestreams: () => catalog.currentSync().allLivestreams(), awaitTransaction: catalog.awaitTransaction },
        { tick: "100 millis" }
      ))
      const read = () => {
        const current = catalog.currentSync()
        return { waited: current.livestream(scope, waiting), left: current.livestream(scope, leaving) }
      }
      for (let i = 0; i < 60 && (read().waited?.lastBroadcast == null || read().left?.lastBroadcast == null); i++) {
        yield* Effect.sleep("100 millis")
      }
      yield* Fiber.interrupt(worker)
      return read()
    }))
    assert.strictEqual(outcome.waited?.lastBroadcast?.reason, "start timeout")
    assert.strictEqual(outcome.waited?.broadcast._tag, "Idle")
    assert.strictEqual(outcome.left?.lastBroadcast?.reason, "reconnection window expired")
  })
})
