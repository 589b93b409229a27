/**
 * The catalog's tables on a real (embedded) event store, fed through the command path: scoped reads, pages
 * in creation order, sessions and their seconds, meeting sessions and recordings in the analytics,
 * read-your-writes through `awaitTransaction`, stream keys sealed in the tables, and a rebuild from the log
 * that equals the tables kept as the log grew.
 */
import { embeddedDatabase } from "@onair/event-store/testing"
import {
  Analytics,
  AppReads,
  Catalog,
  CatalogReads,
  CatalogStates,
  CatalogTables,
  type RecordingReads
} from "@onair/catalog"
import {
  AccountId,
  AppId,
  EventStore,
  IngestId,
  LivestreamId,
  MeetingId,
  MeetingSessionId,
  originMetadata,
  SessionId,
  type Signal,
  StreamKey,
  Timestamp,
  overallAnalytics,
  livestreamDayWise,
  LOCAL_MEDIA_NODE
} from "@onair/core"
import { Projection, SecretKeyring } from "@onair/event-store"
import * as CatalogCache from "../src/CatalogCache.ts"
import { AppCommands, CommandHandler, RecordingCommands } from "@onair/application"
import { Effect, Layer, ManagedRuntime } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0)
const at = (seconds: number) => Timestamp.make(T0 + seconds * 1000)
const uuid = () => crypto.randomUUID()
const keys: Array<StreamKey> = []
const key = () => {
  const made = StreamKey.make(`${crypto.randomUUID().replaceAll("-", "")}key`)
  keys.push(made)
  return made
}
const appA = { accountId: AccountId.make("acct_1"), appId: AppId.make("app_a") }
const appB = { accountId: AccountId.make("acct_1"), appId: AppId.make("app_b") }

let counter = 0
const metadata = (seconds: number) => originMetadata(`analytics-${++counter}-${uuid()}`, "test", at(seconds))

const create = (scope: typeof appA, id: LivestreamId, streamKey: StreamKey, seconds: number): Signal => ({
  _tag: "CreateLivestream",
  livestreamId: id,
  at: at(seconds),
  ...scope,
  name: `stream ${id.slice(0, 4)}`,
  meetingId: null,
  videoConfig: null,
  streamKey,
  reconnectWindowSeconds: 0,
  limits: { startTimeoutSeconds: 3600, maxDurationSeconds: 43_200 },
  sessionId: SessionId.make(uuid())
})

/** Runs a signal through the command path and waits until the catalog has it. */
const runner = Effect.gen(function* () {
  const commands = yield* CommandHandler
  const catalog = yield* CatalogReads
  return (signal: Signal, seconds: number) =>
    Effect.flatMap(commands.handle(signal, metadata(seconds)), (handled) =>
      catalog.awaitTransaction(handled.append?.transaction ?? 0)
    )
})

describe("the catalog's tables on the embedded store", () => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-analytics-"))
  const layer = Layer.provideMerge(
    Layer.provideMerge(
      Layer.mergeAll(CommandHandler.layer(), RecordingCommands.layer, AppCommands.layer),
      Catalog.layer
    ),
    embeddedDatabase(dataDir)
  )
  let runtime: ManagedRuntime.ManagedRuntime<
    | CatalogReads
    | RecordingReads
    | AppReads
    | CommandHandler
    | RecordingCommands
    | AppCommands
    | EventStore
    | SqlClient
    | SecretKeyring,
    unknown
  >
  beforeAll(async () => {
    runtime = ManagedRuntime.make(layer) as never
    await runtime.context()
  })
  afterAll(async () => {
    await runtime.dispose()
    Fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it("answers scoped reads and analytics from the log, right after the writes", async () => {
    const live1 = LivestreamId.make(uuid())
    const live2 = LivestreamId.make(uuid())
    const other = LivestreamId.make(uuid())
    const key1 = key()
    const meetingId = MeetingId.make(uuid())
    const outcome = await runtime.runPromise(
      Effect.gen(function* () {
        const catalog = yield* CatalogReads
        const run = yield* runner
        // The apps, as their owner makes them.
        const apps = yield* AppCommands
        for (const [scope, name] of [
          [appA, "Studio A"],
          [appB, "Studio B"]
        ] as const) {
          const made = yield* apps.handle(
            { _tag: "CreateApp", ...scope, name, origin: "created", at: at(0) },
            metadata(0)
          )
          yield* catalog.awaitTransaction(made.append?.transaction ?? 0)
        }
        yield* run(create(appA, live1, key1, 0), 0)
        yield* run(create(appA, live2, key(), 1), 1)
        yield* run(create(appB, other, key(), 2), 2)
        // live1 broadcasts 90 s; viewers watch 45 s of it.
        const ingestId = IngestId.make(`nginx-${uuid()}`)
        yield* run(
          {
            _tag: "Publish",
            nodeId: LOCAL_MEDIA_NODE,
            nodeRegion: null,
            nodeAccepting: true,
            at: at(10),
            ingestId,
            streamKey: key1,
            publisher: { ip: "203.0.113.7", port: 50000 },
            sessionId: SessionId.make(uuid())
          },
          10
        )
        const current = (yield* catalog.sessionsOf(live1, { pageNo: 1, perPage: 10 })).items[0]!
        yield* run({ _tag: "AccrueViewerSeconds", at: at(50), sessionId: current.id, seconds: 45 }, 50)
        yield* run({ _tag: "Unpublish", at: at(100), ingestId }, 100)
        // Its recording is ready, 88.5 s long; one of another session failed; another app's is not counted.
        const recordings = yield* RecordingCommands
        const record = (command: Parameters<typeof recordings.handle>[0]) =>
          Effect.flatMap(recordings.handle(command, metadata((command.at - T0) / 1000)), (handled) =>
            catalog.awaitTransaction(handled.append?.transaction ?? 0)
          )
        const made = (recordingId: SessionId, scope: typeof appA, livestreamId: LivestreamId) =>
          record({
            _tag: "StartRecording",
            recordingId,
            at: at(10),
            livestreamId,
            ...scope,
            nodeId: LOCAL_MEDIA_NODE
          }).pipe(Effect.andThen(record({ _tag: "FinaliseRecording", recordingId, at: at(104), transcribe: false })))
        const assets = {
          mp4Path: `recordings/${current.id}/recording.mp4`,
          vodPath: `recordings/${current.id}/vod/index.m3u8`,
          posterPath: `recordings/${current.id}/poster.jpg`,
          durationSeconds: 88.5,
          size: 9_000_000,
          width: 1280,
          height: 720,
          videoCodec: "h264",
          audioCodec: "aac",
          sha256: "c".repeat(64),
          vodSize: 9_100_000
        }
        yield* made(current.id, appA, live1)
        yield* record({
          _tag: "CompleteRecording",
          recordingId: current.id,
          at: at(105),
          assets,
          storage: { _tag: "Local" }
        })
        const failed = SessionId.make(uuid())
        yield* made(failed, appA, live2)
        yield* record({ _tag: "FailRecording", recordingId: failed, at: at(105), reason: "no media" })
        const elsewhere = SessionId.make(uuid())
        yield* made(elsewhere, appB, other)
        yield* record({
          _tag: "CompleteRecording",
          recordingId: elsewhere,
          at: at(105),
          assets: { ...assets, durationSeconds: 600 },
          storage: { _tag: "Local" }
        })
        // A meeting session of 30 minutes.
        yield* run(
          {
            _tag: "CreateMeeting",
            meetingId,
            at: at(0),
            ...appA,
            title: "Standup",
            liveStreamOnStart: false,
            recordOnStart: false
          },
          0
        )
        const meetingSession = MeetingSessionId.make("610f81ee870dde099a249948")
        yield* run({ _tag: "OpenMeetingSession", meetingId, at: at(200), meetingSessionId: meetingSession }, 200)
        yield* run(
          { _tag: "CloseMeetingSession", meetingId, at: at(200 + 1800), meetingSessionId: meetingSession },
          2000
        )
        const all = { excludeMeetings: false, pageNo: 1, perPage: 10 }
        const listA = yield* catalog.livestreams(appA, { ...all, order: "ASC" })
        const appReads = yield* AppReads
        const appsPage = yield* appReads.apps(appA.accountId, {
          pageNo: 1,
          perPage: 10,
          search: "studio b",
          order: "DESC",
          only: undefined
        })
        return {
          apps: appsPage,
          appA: yield* appReads.app(appA.accountId, appA.appId),
          unknownApp: yield* appReads.app(appA.accountId, AppId.make("app_z")),
          usedBefore: yield* appReads.usedBefore({ accountId: appA.accountId, appId: AppId.make("app_z") }),
          listA: listA.items.map((l) => l.id),
          totalA: listA.total,
          newestFirstA: (yield* catalog.livestreams(appA, { ...all, order: "DSC" })).items.map((l) => l.id),
          secondPageA: yield* catalog.livestreams(appA, { ...all, order: "ASC", pageNo: 2, perPage: 1 }),
          pastTheEndA: yield* catalog.livestreams(appA, { ...all, order: "ASC", pageNo: 3, perPage: 1 }),
          liveA: (yield* catalog.livestreams(appA, { ...all, order: "ASC", status: "LIVE" })).total,
          idleA: yield* catalog.livestreams(appA, { ...all, order: "ASC", status: "IDLE" }),
          createdAfterA: (yield* catalog.livestreams(appA, { ...all, order: "ASC", from: at(1) })).total,
          listB: (yield* catalog.livestreams(appB, { ...all, order: "ASC" })).items.map((l) => l.id),
          crossApp: yield* catalog.livestream(appB, live1),
          sessions: (yield* catalog.sessionsOf(live1, { pageNo: 1, perPage: 10 })).items,
          overall: yield* Analytics.overall(appA, { from: at(0), to: at(3600) }, at(4000)),
          overallBefore: yield* Analytics.overall(appA, { from: at(0), to: at(5) }, at(4000)),
          dayWise: yield* Analytics.dayWise(
            appA,
            { firstDay: Date.UTC(2026, 10, 19), lastDay: Date.UTC(2026, 10, 20) },
            at(4000)
          ),
          meetings: (yield* catalog.meetings(appA, { pageNo: 1, perPage: 10 })).items.map((m) => m.id)
        }
      })
    )
    assert.deepStrictEqual(
      outcome.apps.items.map((app) => app.name),
      ["Studio B"]
    )
    assert.strictEqual(outcome.apps.total, 1)
    assert.deepStrictEqual(outcome.appA, {
      accountId: appA.accountId,
      id: appA.appId,
      name: "Studio A",
      origin: "created",
      createdAt: at(0)
    })
    assert.isUndefined(outcome.unknownApp)
    assert.isFalse(outcome.usedBefore)
    assert.deepStrictEqual(outcome.listA, [live1, live2])
    assert.strictEqual(outcome.totalA, 2)
    assert.deepStrictEqual(outcome.newestFirstA, [live2, live1])
    assert.deepStrictEqual(
      outcome.secondPageA.items.map((l) => l.id),
      [live2]
    )
    assert.strictEqual(outcome.secondPageA.total, 2)
    assert.deepStrictEqual(outcome.pastTheEndA, { items: [], total: 2 }, "a page past the end still counts them all")
    assert.strictEqual(outcome.liveA, 0, "nothing is live once the encoder left with no reconnect window")
    assert.strictEqual(outcome.idleA.total, outcome.idleA.items.length, "the kept count is the rows' count")
    assert.strictEqual(outcome.createdAfterA, 1, "a time filter counts its matches")
    assert.deepStrictEqual(outcome.listB, [other])
    assert.isUndefined(outcome.crossApp, "another app's livestream is not visible")
    assert.strictEqual(outcome.sessions.length, 1)
    assert.strictEqual(outcome.sessions[0]?.startedAt, at(10))
    assert.deepStrictEqual(outcome.overall, { count: 1, total_ingest_seconds: 90, total_viewer_seconds: 45 })
    assert.deepStrictEqual(outcome.overallBefore, { count: 0, total_ingest_seconds: 0, total_viewer_seconds: 0 })
    assert.deepStrictEqual(outcome.dayWise.session_stats.day_stats, [
      { day: "2026-11-19", total_session_minutes: 0, total_sessions: 0 },
      { day: "2026-11-20", total_session_minutes: 30, total_sessions: 1 }
    ])
    assert.deepStrictEqual(
      outcome.dayWise.recording_stats,
      {
        day_stats: [
          { day: "2026-11-19", total_recording_minutes: 0, total_recordings: 0 },
          { day: "2026-11-20", total_recording_minutes: 1, total_recordings: 1 }
        ],
        recording_count: 1,
        recording_minutes_consumed: 1.475
      },
      "the ready recording counts for its duration; the failed one and another app's do not"
    )
    assert.deepStrictEqual(outcome.meetings, [meetingId])
  })

  it("never answers a cached livestream or session page older than a write the reader waited for", async () => {
    const outcome = await runtime.runPromise(
      Effect.gen(function* () {
        const catalog = yield* CatalogReads
        const run = yield* runner
        const id = LivestreamId.make(uuid())
        const streamKey = key()
        yield* run(create(appA, id, streamKey, 0), 0)
        const names: Array<string | null | undefined> = []
        const pages: Array<ReadonlyArray<string>> = []
        const listed: Array<string | null | undefined> = []
        const read = Effect.gen(function* () {
          names.push((yield* catalog.livestream(appA, id))?.name)
          const page = yield* catalog.livestreams(appA, {
            excludeMeetings: false,
            order: "DSC",
            pageNo: 1,
            perPage: 100
          })
          listed.push(page.items.find((livestream) => livestream.id === id)?.name)
          pages.push(
            (yield* catalog.sessionsOf(id, { pageNo: 1, perPage: 10 })).items.map((s) =>
              s.stoppedAt === null ? "open" : "stopped"
            )
          )
        })
        for (let round = 0; round < 3; round++) {
          yield* read
          yield* read
          yield* run(
            { _tag: "RenameLivestream", livestreamId: id, at: at(10 + round), name: `renamed ${round}` },
            10 + round
          )
        }
        yield* read
        const ingestId = IngestId.make(`nginx-${uuid()}`)
        yield* run(
          {
            _tag: "Publish",
            nodeId: LOCAL_MEDIA_NODE,
            nodeRegion: null,
            nodeAccepting: true,
            at: at(20),
            ingestId,
            streamKey,
            publisher: { ip: "203.0.113.7", port: 1 },
            sessionId: SessionId.make(uuid())
          },
          20
        )
        yield* read
        yield* run({ _tag: "Unpublish", at: at(30), ingestId }, 30)
        yield* read
        yield* run({ _tag: "DeleteLivestream", livestreamId: id, at: at(40) }, 40)
        yield* read
        return { names, pages, listed }
      })
    )
    assert.deepStrictEqual(outcome.names, [
      `stream ${outcome.names[0]!.slice(7)}`,
      outcome.names[0],
      "renamed 0",
      "renamed 0",
      "renamed 1",
      "renamed 1",
      "renamed 2",
      "renamed 2",
      "renamed 2",
      undefined
    ])
    assert.deepStrictEqual(outcome.pages.slice(-4, -1), [["open"], ["open"], ["stopped"]])
    assert.deepStrictEqual(outcome.listed, [...outcome.names.slice(0, -1), undefined], "lists follow the same writes")
    assert.isUndefined(outcome.names.at(-1), "a deleted livestream is gone")
  })

  it("drops a cached page on its session's event after another page holding that session left the cache", async () => {
    const outcome = await runtime.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const run = yield* runner
          const store = yield* EventStore
          const id = LivestreamId.make(uuid())
          const streamKey = key()
          yield* run(create(appA, id, streamKey, 0), 0)
          yield* run(
            {
              _tag: "Publish",
              nodeId: LOCAL_MEDIA_NODE,
              nodeRegion: null,
              nodeAccepting: true,
              at: at(1),
              ingestId: IngestId.make(`nginx-${uuid()}`),
              streamKey,
              publisher: { ip: "203.0.113.7", port: 1 },
              sessionId: SessionId.make(uuid())
            },
            1
          )
          const session = (yield* (yield* CatalogReads).sessionsOf(id, { pageNo: 1, perPage: 10 })).items[0]!
          // Two entries; two pages of the livestream share its session; the third entry pushes the oldest out.
          const cache = yield* CatalogCache.make(
            yield* store.loadCheckpoint(CatalogTables.PROJECTION),
            () => Number.MAX_SAFE_INTEGER,
            2
          )
          const page = (key: string, value: string) => cache.through(key, id, Effect.succeed(value), () => [session.id])
          yield* page("page of 10", "before")
          yield* page("page of 5", "before")
          yield* cache.through("another livestream", LivestreamId.make(uuid()), Effect.succeed("other"))
          // An event of the session names only the session.
          const accrued = yield* (yield* CommandHandler).handle(
            { _tag: "AccrueViewerSeconds", at: at(2), sessionId: session.id, seconds: 5 },
            metadata(2)
          )
          yield* cache.awaitTransaction(accrued.append!.transaction)
          return yield* page("page of 5", "after")
        })
      )
    )
    assert.strictEqual(outcome, "after", "the page still cached was dropped by its session's event")
  })

  it("answers analytics from the days counted ahead as it does from every session", async () => {
    const scope = { accountId: AccountId.make("acct_1"), appId: AppId.make("app_days") }
    const outcome = await runtime.runPromise(
      Effect.gen(function* () {
        const catalog = yield* CatalogReads
        const run = yield* runner
        // Six broadcasts over three days, 7 to 90 minutes long, with viewers; the last is still live.
        for (let i = 0; i < 6; i++) {
          const start = i * 50_000 + 3_000
          const id = LivestreamId.make(uuid())
          const streamKey = key()
          const ingestId = IngestId.make(`nginx-${uuid()}`)
          yield* run(create(scope, id, streamKey, start), start)
          yield* run(
            {
              _tag: "Publish",
              nodeId: LOCAL_MEDIA_NODE,
              nodeRegion: null,
              nodeAccepting: true,
              at: at(start + 5),
              ingestId,
              streamKey,
              publisher: { ip: "203.0.113.7", port: 1 },
              sessionId: SessionId.make(uuid())
            },
            start + 5
          )
          const session = (yield* catalog.sessionsOf(id, { pageNo: 1, perPage: 1 })).items[0]!
          yield* run(
            { _tag: "AccrueViewerSeconds", at: at(start + 60), sessionId: session.id, seconds: 30.5 * (i + 1) },
            start + 60
          )
          if (i < 5) yield* run({ _tag: "Unpublish", at: at(start + 420 + i * 1000), ingestId }, start + 420 + i * 1000)
        }
        const asOf = at(400_000)
        const every = { from: 0, to: asOf + 1 }
        const sessions = yield* catalog.sessionsStartedIn(scope, every)
        const ranges = [
          { from: at(0), to: at(400_000) },
          { from: Timestamp.make(Date.UTC(2026, 10, 21)), to: Timestamp.make(Date.UTC(2026, 10, 23)) },
          { from: at(3_000), to: at(103_004) },
          { from: at(60_000), to: at(60_001) }
        ]
        const overall = yield* Effect.forEach(ranges, (range) =>
          Effect.map(Analytics.overall(scope, range, asOf), (counted) => ({
            counted,
            read: overallAnalytics(sessions, range, asOf)
          }))
        )
        const days = { firstDay: Date.UTC(2026, 10, 19), lastDay: Date.UTC(2026, 10, 24) }
        const counted = yield* catalog.sessionDays(scope, { from: days.firstDay, to: days.lastDay + 86_400_000 })
        const perDay = yield* Effect.forEach(ranges, (range) =>
          Effect.map(Analytics.livestreamDays(scope, range, asOf), (countedDays) => ({
            countedDays,
            readDays: livestreamDayWise(sessions, [], range, asOf)
          }))
        )
        return { overall, perDay, countedSessions: counted.reduce((n, day) => n + day.sessions, 0) }
      })
    )
    assert.strictEqual(outcome.countedSessions, 5, "the five settled sessions are counted ahead")
    for (const { counted, read } of outcome.overall) assert.deepStrictEqual(counted, read)
    for (const { countedDays, readDays } of outcome.perDay)
      assert.deepStrictEqual(countedDays, readDays, "per day, counted ahead or read")
    assert.isAbove(outcome.perDay[0]!.countedDays.length, 3)
    assert.strictEqual(outcome.overall[0]!.counted.count, 6)
  })

  it("equals the tables rebuilt from the start of the log", async () => {
    // The rebuild takes the projection's lease, which the running catalog holds: it runs on the database
    // alone, as `onair read-models rebuild` does with the main job stopped.
    await runtime.dispose()
    runtime = ManagedRuntime.make(embeddedDatabase(dataDir)) as never
    const outcome = await runtime.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const livestreams = CatalogStates.livestreamStates(yield* SecretKeyring)
        // Sealed keys differ from one sealing to the next (a fresh nonce): rows are compared opened.
        const tables = Effect.gen(function* () {
          const sealed = yield* sql<{ state: unknown }>`
          SELECT id, ordinal, status, deleted, stream_key, created_at, state, next_timer_at FROM onair_livestreams ORDER BY id`
          const rows = yield* Effect.forEach(
            [
              sql`SELECT id, ordinal, livestream_id, started_at, state FROM onair_sessions ORDER BY id`,
              sql`SELECT id, connected, state FROM onair_ingests ORDER BY id`,
              sql`SELECT id, ordinal, state FROM onair_meetings ORDER BY id`,
              sql`SELECT * FROM onair_meeting_sessions ORDER BY meeting_session_id`,
              sql`SELECT * FROM onair_livestream_counts WHERE livestreams <> 0 ORDER BY account_id, app_id, status`,
              sql`SELECT * FROM onair_session_days ORDER BY account_id, app_id, day`,
              sql`SELECT * FROM onair_recordings ORDER BY id`,
              sql`SELECT * FROM onair_apps ORDER BY id`,
              sql`SELECT * FROM onair_ingest_health ORDER BY session_id, at`
            ],
            (query) => query
          )
          const opened = sealed.map((row) => ({ ...row, state: livestreams.decode(row.state) }))
          const text = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === "bigint" ? String(v) : v))
          return { sealed: text(sealed), opened: text([opened, ...rows]) }
        })
        const kept = yield* tables
        yield* Projection.rebuild(CatalogTables.projection)
        return { kept, rebuilt: yield* tables }
      })
    )
    assert.include(outcome.kept.opened, "Standup")
    for (const streamKey of keys) {
      assert.include(outcome.kept.opened, streamKey)
      assert.notInclude(outcome.kept.sealed, streamKey, "no stream key is in the tables in clear")
    }
    const [keptRows, rebuiltRows] = [JSON.parse(outcome.kept.opened), JSON.parse(outcome.rebuilt.opened)]
    for (const [index, table] of (keptRows as Array<unknown>).entries()) {
      assert.deepStrictEqual(rebuiltRows[index], table, `table ${index}`)
    }
  })
})
