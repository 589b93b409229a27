/**
 * Retention on a real (embedded) event store: an app's settled recordings older than its retention are
 * deleted (a `RecordingDeleted` event by `retention`), newer ones, unsettled ones and other apps' are
 * kept. Recordings are made as of days before now (the clock's), as if they had been made then.
 */
import { embeddedDatabase } from "@onair/event-store/testing"
import { AppSettingsCommands, RecordingCommands } from "@onair/application"
import { AppSettingsReads, Catalog, CatalogReads, RecordingReads } from "@onair/catalog"
import {
  AccountId,
  AppId,
  EventStore,
  LivestreamId,
  MediaNodeId,
  originMetadata,
  type RecordingCommand,
  recordingStream,
  SessionId,
  Timestamp
} from "@onair/core"
import { CommandHandler } from "@onair/application"
import { Effect, Layer } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { deleteExpired } from "../src/control/RecordingRetention.ts"

const DAY = 86_400_000
/** Whole seconds, so "days ago" stays days ago while the test runs. */
const NOW = Date.now() - (Date.now() % 1000)
const kept = { accountId: AccountId.make("acct_ret"), appId: AppId.make("app_keeps_7_days") }
const forever = { accountId: AccountId.make("acct_ret"), appId: AppId.make("app_keeps_forever") }
const assets = (id: string) => ({
  mp4Path: `recordings/${id}/recording.mp4`,
  vodPath: `recordings/${id}/vod/index.m3u8`,
  posterPath: `recordings/${id}/poster.jpg`,
  durationSeconds: 60,
  size: 1000,
  width: 640,
  height: 360,
  videoCodec: "h264",
  audioCodec: "aac",
  sha256: "d".repeat(64),
  vodSize: 1100
})

describe("recording retention", () => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-retention-"))
  afterAll(() => Fs.rmSync(dataDir, { recursive: true, force: true }))
  const layer = Layer.mergeAll(CommandHandler.layer(), RecordingCommands.layer, AppSettingsCommands.layer).pipe(
    Layer.provideMerge(Catalog.layer),
    Layer.provideMerge(embeddedDatabase(dataDir))
  )

  it.live(
    "deletes an app's settled recordings past its retention, once, by retention; keeps the rest",
    () =>
      Effect.gen(function* () {
        const recordings = yield* RecordingCommands
        const catalog = yield* CatalogReads
        const run = (command: RecordingCommand) =>
          Effect.flatMap(recordings.handle(command, originMetadata(crypto.randomUUID(), "test", command.at)), (done) =>
            catalog.awaitTransaction(done.append?.transaction ?? 0)
          )
        /** A recording started `daysAgo` days before NOW, ready (or still recording). */
        const made = (scope: typeof kept, daysAgo: number, settled: boolean) =>
          Effect.gen(function* () {
            const recordingId = SessionId.make(crypto.randomUUID())
            const at = (offset: number) => Timestamp.make(NOW - daysAgo * DAY + offset)
            const livestreamId = LivestreamId.make(crypto.randomUUID())
            yield* run({
              _tag: "StartRecording",
              recordingId,
              at: at(0),
              livestreamId,
              ...scope,
              nodeId: MediaNodeId.make("node-a")
            })
            if (settled) {
              yield* run({ _tag: "FinaliseRecording", recordingId, at: at(60_000), transcribe: false })
              yield* run({
                _tag: "CompleteRecording",
                recordingId,
                at: at(61_000),
                assets: assets(recordingId),
                storage: { _tag: "Local" }
              })
            }
            return recordingId
          })
        const old = yield* made(kept, 8, true)
        const recent = yield* made(kept, 6, true)
        const stillRecording = yield* made(kept, 9, false)
        const otherApp = yield* made(forever, 30, true)
        const settings = yield* AppSettingsCommands
        const changed = yield* settings.handle(
          { _tag: "ChangeAppSettings", ...kept, at: Timestamp.make(NOW - DAY), recordingRetentionDays: 7 },
          originMetadata("retention-7", "test", Timestamp.make(NOW - DAY))
        )
        yield* catalog.awaitTransaction(changed.append?.transaction ?? 0)
        assert.strictEqual(
          (yield* (yield* AppSettingsReads).settings(kept, Timestamp.make(NOW))).recordingRetentionDays,
          7
        )

        assert.strictEqual(yield* deleteExpired, 1)
        assert.strictEqual(yield* deleteExpired, 0, "deleted once")
        const reads = yield* RecordingReads
        assert.isUndefined(yield* reads.recording(kept, old))
        for (const [scope, id] of [
          [kept, recent],
          [kept, stillRecording],
          [forever, otherApp]
        ] as const) {
          assert.isDefined(yield* reads.recording(scope, id))
        }
        const events = yield* (yield* EventStore).readStream(recordingStream(old))
        assert.deepInclude(events.events.at(-1)!.data as object, { _tag: "RecordingDeleted", by: "retention" })

        // A shorter retention: the recent one is past 5 days.
        const shorter = yield* settings.handle(
          { _tag: "ChangeAppSettings", ...kept, at: Timestamp.make(NOW), recordingRetentionDays: 5 },
          originMetadata("retention-5", "test", Timestamp.make(NOW))
        )
        yield* catalog.awaitTransaction(shorter.append?.transaction ?? 0)
        assert.strictEqual(yield* deleteExpired, 1)
        assert.isUndefined(yield* reads.recording(kept, recent))
      }).pipe(Effect.provide(layer)),
    { timeout: 60_000 }
  )
})
