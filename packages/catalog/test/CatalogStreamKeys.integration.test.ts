/**
 * `StreamKeys` from the catalog: the same answers whether the catalog's projection has applied the key
 * events (the table) or not yet (the log after its checkpoint): a new key finds its livestream, a rotated
 * key and a deleted livestream's key find nothing; a key rotated with grace still finds its livestream (which
 * says whether the grace is over) until the next rotation.
 */
import { embeddedDatabase } from "@onair/event-store/testing"
import { StreamKeyIndex, StreamKeys } from "@onair/application"
import { CatalogMigrations, CatalogStreamKeys, CatalogTables } from "@onair/catalog"
import {
  AccountId,
  AppId,
  EventStore,
  LivestreamId,
  originMetadata,
  SessionId,
  type Signal,
  StreamKey,
  Timestamp
} from "@onair/core"
import { Projection } from "@onair/event-store"
import { CommandHandler } from "@onair/application"
import { Effect, Layer, ManagedRuntime } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, assert, describe, it } from "vitest"

const at = Timestamp.make(Date.UTC(2026, 10, 27))
const key = () => StreamKey.make(`${crypto.randomUUID().replaceAll("-", "")}keys`)
const scope = { accountId: AccountId.make("acct_keys"), appId: AppId.make("app_1") }

const create = (livestreamId: LivestreamId, streamKey: StreamKey): Signal => ({
  _tag: "CreateLivestream",
  livestreamId,
  at,
  ...scope,
  name: null,
  meetingId: null,
  videoConfig: null,
  streamKey,
  reconnectWindowSeconds: 0,
  limits: { startTimeoutSeconds: 3600, maxDurationSeconds: 3600 },
  sessionId: SessionId.make(crypto.randomUUID())
})

describe("stream keys from the catalog", () => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-keys-"))
  const runtime = ManagedRuntime.make(
    CommandHandler.layer().pipe(
      Layer.provideMerge(CatalogStreamKeys.layer),
      Layer.provideMerge(Layer.effectDiscard(CatalogMigrations.run)),
      Layer.provideMerge(embeddedDatabase(dataDir))
    )
  )
  afterAll(async () => {
    await runtime.dispose()
    Fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it("answers from the log after the checkpoint, then from the table, the same", async () => {
    const outcome = await runtime.runPromise(
      Effect.gen(function* () {
        const commands = yield* CommandHandler
        const keys = yield* StreamKeys
        const run = (signal: Signal) =>
          commands.handle(signal, originMetadata(`test:${crypto.randomUUID()}`, "test", at))
        const kept = LivestreamId.make(crypto.randomUUID())
        const rotated = LivestreamId.make(crypto.randomUUID())
        const deleted = LivestreamId.make(crypto.randomUUID())
        const graced = LivestreamId.make(crypto.randomUUID())
        const twice = LivestreamId.make(crypto.randomUUID())
        const [keptKey, oldKey, newKey, deletedKey] = [key(), key(), key(), key()]
        const [gracedOld, gracedNew, firstKey, secondKey, thirdKey] = [key(), key(), key(), key(), key()]
        yield* run(create(kept, keptKey))
        yield* run(create(rotated, oldKey))
        yield* run({ _tag: "RotateStreamKey", livestreamId: rotated, at, streamKey: newKey })
        yield* run(create(deleted, deletedKey))
        yield* run({ _tag: "DeleteLivestream", livestreamId: deleted, at })
        yield* run(create(graced, gracedOld))
        yield* run({ _tag: "RotateStreamKey", livestreamId: graced, at, streamKey: gracedNew, graceSeconds: 600 })
        // Rotated twice with grace: the first key is gone, the second is the previous one.
        yield* run(create(twice, firstKey))
        yield* run({ _tag: "RotateStreamKey", livestreamId: twice, at, streamKey: secondKey, graceSeconds: 600 })
        yield* run({ _tag: "RotateStreamKey", livestreamId: twice, at, streamKey: thirdKey, graceSeconds: 600 })
        const unknown = key()
        const asked = [
          keptKey,
          oldKey,
          newKey,
          deletedKey,
          unknown,
          gracedOld,
          gracedNew,
          firstKey,
          secondKey,
          thirdKey
        ]
        const answers = Effect.forEach(asked, (k) => keys.lookup(k))
        // The projection has applied nothing yet: every answer comes from the log.
        const fromLog = yield* answers
        yield* Projection.catchUp(CatalogTables.projection)
        const fromTable = yield* answers
        const store = yield* EventStore
        return {
          keys: asked,
          fromLog,
          fromTable,
          expected: [kept, null, rotated, null, null, graced, graced, null, twice, twice],
          checkpoint: yield* store.loadCheckpoint(CatalogTables.PROJECTION)
        }
      })
    )
    assert.deepStrictEqual(outcome.fromLog, outcome.expected)
    assert.deepStrictEqual(outcome.fromTable, outcome.expected)
    assert.isAbove(outcome.checkpoint.transaction, 0, "the second round was answered by the table")
    // The in-memory index (tools, tests) answers the same from the log alone.
    const inMemory = await runtime.runPromise(
      Effect.gen(function* () {
        const index = yield* StreamKeyIndex.make
        return yield* Effect.forEach(outcome.keys, (k) => index.lookup(k))
      })
    )
    assert.deepStrictEqual(inMemory, outcome.expected)
  })
})
