/**
 * Webhooks are a pure function of the log: the same log, read in batches of 1, 2, 7 and 500 events, gives
 * the same messages, byte for byte (ids, bodies, sequence numbers, order, receiving endpoints), each batch
 * applied by the outbox's store as a run does it (state loaded from its table and written back, in the
 * batch's transaction). The log is made through the command path and holds units of work of several
 * events (a create, a publish), which a reader that ends its page inside a transaction would split, and
 * endpoints that are made, changed and deleted along the way.
 */
import { embeddedDatabase, eventually } from "@onair/event-store/testing"
import {
  AccountId,
  AppId,
  comparePositions,
  EventStore,
  IngestId,
  LivestreamId,
  LOG_START,
  MeetingId,
  MeetingSessionId,
  originMetadata,
  ParticipantId,
  type Position,
  type PublicUrls,
  SessionId,
  type Signal,
  type StoredEvent,
  StreamKey,
  Timestamp,
  LOCAL_MEDIA_NODE
} from "@onair/core"
import type { SecretKeyring } from "@onair/event-store"
import {
  AggregateCommand,
  CommandHandler,
  PublicUrlsConfig,
  RecordingCommands,
  RecordingLinks,
  StreamKeys
} from "@onair/application"
import { Effect, Fiber, Layer, ManagedRuntime } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import * as Outbox from "../src/Outbox.ts"
import * as OutboxStore from "../src/OutboxStore.ts"
import { endpoints } from "../src/EndpointStreams.ts"
import * as WebhookMigrations from "../src/WebhookMigrations.ts"

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
const at = (seconds: number) => Timestamp.make(T0 + seconds * 1000)
const app = { accountId: AccountId.make("acct_replay"), appId: AppId.make("app_replay") }
const urls: PublicUrls = {
  rtmpServer: "rtmp://localhost:1935/live",
  rtmpsServer: "rtmps://localhost:1936/live",
  playbackBase: "http://localhost:8787/hls"
}
/** Deterministic ids, so two runs of the test make the same log. */
const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`

describe("the outbox replayed with any batch size", () => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-replay-"))
  let runtime: ManagedRuntime.ManagedRuntime<
    CommandHandler | RecordingCommands | RecordingLinks | EventStore | SqlClient | SecretKeyring,
    unknown
  >
  beforeAll(async () => {
    runtime = ManagedRuntime.make(
      Layer.provideMerge(
        Layer.mergeAll(
          Layer.provide(CommandHandler.layer(), StreamKeys.inMemory),
          RecordingCommands.layer,
          Layer.provide(RecordingLinks.layer, PublicUrlsConfig.layer),
          Layer.effectDiscard(WebhookMigrations.run)
        ),
        embeddedDatabase(dataDir)
      )
    ) as never
    await runtime.context()
  })
  afterAll(async () => {
    await runtime.dispose()
    Fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it("gives the same messages, byte for byte, for batches of 1, 2, 7 and 500; an outbox without kept state builds it once", async () => {
    const log = await runtime.runPromise(
      Effect.gen(function* () {
        const commands = yield* CommandHandler
        let n = 0
        const run = (signal: Signal) =>
          Effect.ignore(commands.handle(signal, originMetadata(`replay-${++n}`, "test", signal.at)))
        let m = 0
        const endpoint = (command: Parameters<typeof AggregateCommand.handle<any, any, any, any>>[1]) =>
          Effect.ignore(
            AggregateCommand.handle(endpoints, command, originMetadata(`replay-endpoint-${++m}`, "test", command.at))
          )
        const secret = `whsec_${"A".repeat(43)}=`
        const made = (n: number, eventTypes: ReadonlyArray<string>, scope = app) =>
          endpoint({
            _tag: "CreateWebhookEndpoint",
            endpointId: `wh_replay${String(n).padStart(18, "0")}`,
            at: at(0),
            ...scope,
            url: `https://hooks.example.com/${n}`,
            enabled: true,
            eventTypes,
            secret
          })
        yield* made(1, ["livestream.*"])
        yield* made(2, ["*"])
        yield* made(3, ["*"], { accountId: AccountId.make("acct_other"), appId: AppId.make("app_other") })
        // Livestreams created, published (some twice, with a reconnect), playlists, ends; a meeting with people.
        for (let i = 0; i < 12; i++) {
          if (i === 4)
            yield* endpoint({
              _tag: "UpdateWebhookEndpoint",
              endpointId: "wh_replay000000000000000001",
              at: at(i),
              url: null,
              enabled: null,
              eventTypes: ["ingest.*"]
            })
          if (i === 8)
            yield* endpoint({ _tag: "DeleteWebhookEndpoint", endpointId: "wh_replay000000000000000002", at: at(i) })
          if (i === 9) yield* made(4, ["livestream.*", "ingest.*"])
          const livestreamId = LivestreamId.make(id(1000 + i))
          const streamKey = StreamKey.make(`${"k".repeat(40)}${i.toString().padStart(4, "0")}`)
          yield* run({
            _tag: "CreateLivestream",
            livestreamId,
            at: at(i),
            ...app,
            name: `live ${i}`,
            meetingId: null,
            videoConfig: null,
            streamKey,
            reconnectWindowSeconds: i % 2 === 0 ? 0 : 60,
            limits: { startTimeoutSeconds: 3600, maxDurationSeconds: 43_200 },
            sessionId: SessionId.make(id(2000 + i))
          })
          for (let round = 0; round < (i % 3) + 1; round++) {
            const ingestId = IngestId.make(`nginx.replay.${i}-${round}`)
            const start = 100 + i * 10 + round * 3
            yield* run({
              _tag: "Publish",
              nodeId: LOCAL_MEDIA_NODE,
              nodeRegion: null,
              nodeAccepting: true,
              at: at(start),
              ingestId,
              streamKey,
              publisher: { ip: "203.0.113.7", port: 0 },
              sessionId: SessionId.make(id(3000 + i * 10 + round))
            })
            yield* run({ _tag: "ReportManifest", at: at(start + 1), ingestId })
            yield* run({ _tag: "Unpublish", at: at(start + 2), ingestId })
          }
        }
        // Recordings of three sessions: one ready, one failed, one ready after its upload failed at first.
        const recordings = yield* RecordingCommands
        let r = 0
        const record = (command: Parameters<typeof recordings.handle>[0]) =>
          Effect.ignore(recordings.handle(command, originMetadata(`replay-recording-${++r}`, "test", command.at)))
        const assets = (recordingId: string) => ({
          mp4Path: `recordings/${recordingId}/recording.mp4`,
          vodPath: `recordings/${recordingId}/vod/index.m3u8`,
          posterPath: `recordings/${recordingId}/poster.jpg`,
          durationSeconds: 7.5,
          size: 1_000_000,
          width: 1280,
          height: 720,
          videoCodec: "h264",
          audioCodec: "aac",
          sha256: "b".repeat(64),
          vodSize: 1_100_000
        })
        for (const [i, outcome] of [
          [1, "ready"],
          [3, "failed"],
          [5, "uploaded later"]
        ] as const) {
          const recordingId = SessionId.make(id(3000 + i * 10))
          const livestreamId = LivestreamId.make(id(1000 + i))
          yield* record({
            _tag: "StartRecording",
            recordingId,
            at: at(300),
            livestreamId,
            ...app,
            nodeId: LOCAL_MEDIA_NODE
          })
          yield* record({ _tag: "FinaliseRecording", recordingId, at: at(301), transcribe: false })
          if (outcome === "ready")
            yield* record({
              _tag: "CompleteRecording",
              recordingId,
              at: at(302),
              assets: assets(recordingId),
              storage: { _tag: "Local" }
            })
          else
            yield* record({
              _tag: "FailRecording",
              recordingId,
              at: at(302),
              reason: outcome === "failed" ? "disk full" : "storage unreachable"
            })
          if (outcome === "uploaded later") {
            yield* record({
              _tag: "CompleteRecording",
              recordingId,
              at: at(400),
              assets: assets(recordingId),
              storage: { _tag: "S3", bucket: "vods", keyPrefix: "onair/" }
            })
          }
        }
        const meetingId = MeetingId.make(id(4000))
        yield* run({
          _tag: "CreateMeeting",
          meetingId,
          at: at(500),
          ...app,
          title: "standup",
          liveStreamOnStart: false,
          recordOnStart: false
        })
        const meetingSessionId = MeetingSessionId.make("replay-session")
        yield* run({ _tag: "OpenMeetingSession", meetingId, at: at(510), meetingSessionId })
        for (const person of ["ann", "bob"])
          yield* run({ _tag: "JoinParticipant", meetingId, at: at(520), participantId: ParticipantId.make(person) })
        yield* run({ _tag: "LeaveParticipant", meetingId, at: at(530), participantId: ParticipantId.make("ann") })
        yield* run({ _tag: "CloseMeetingSession", meetingId, at: at(540), meetingSessionId })

        const store = yield* EventStore
        const readWith = (size: number) =>
          Effect.gen(function* () {
            const batches: Array<ReadonlyArray<StoredEvent>> = []
            let from: Position = LOG_START
            for (;;) {
              const page = yield* store.readAll(from, size)
              if (page.events.length === 0) return batches
              batches.push(page.events)
              from = page.next
            }
          })
        return {
          1: yield* readWith(1),
          2: yield* readWith(2),
          7: yield* readWith(7),
          500: yield* readWith(500)
        }
      })
    )

    const all = log[500].flat()
    const perTransaction = new Map<number, number>()
    for (const event of all)
      perTransaction.set(event.position.transaction, (perTransaction.get(event.position.transaction) ?? 0) + 1)
    // The log has units of several events: a reader splitting them would be caught here.
    assert.isAbove(Math.max(...perTransaction.values()), 2)

    const messagesOf = (batches: ReadonlyArray<ReadonlyArray<StoredEvent>>) =>
      runtime.runPromise(
        Effect.gen(function* () {
          const sql = yield* SqlClient
          yield* sql`TRUNCATE onair_outbox_state`
          const store = yield* OutboxStore.make
          const lines: Array<string> = []
          for (const batch of batches) {
            const outgoing = yield* sql.withTransaction(store.applyBatch(urls, batch))
            lines.push(...outgoing.map((o) => `${Outbox.envelope(o)} -> ${o.endpointIds.join(",")}`))
          }
          return lines
        })
      )
    const expected = await messagesOf(log[500])
    assert.isAbove(expected.length, 50)
    const receivers = expected.map((line) => line.slice(line.lastIndexOf(" -> ") + 4))
    assert.include(
      receivers,
      "wh_replay000000000000000001,wh_replay000000000000000002",
      "both endpoints of the app take livestream events at first"
    )
    assert.include(
      receivers,
      "wh_replay000000000000000001,wh_replay000000000000000004",
      "the changed filter and the later endpoint count"
    )
    assert.notInclude(
      receivers.join(","),
      "wh_replay000000000000000003",
      "another app's endpoint receives nothing of this app"
    )
    const types = expected.map((line) => JSON.parse(line.slice(0, line.lastIndexOf(" -> "))).type as string)
    assert.deepStrictEqual(
      types.filter((type) => type.includes("recording")),
      [
        "recording.success",
        "hls.recording.success",
        "recording.failed",
        "recording.failed",
        "recording.success",
        "hls.recording.success"
      ]
    )
    const later = expected
      .map((line) => JSON.parse(line.slice(0, line.lastIndexOf(" -> "))))
      .filter((m) => m.type === "recording.success")[1]
    assert.strictEqual(later.data.recording_path, `s3://vods/onair/recordings/${id(3050)}/recording.mp4`)
    assert.match(
      later.data.recording_presigned_url,
      new RegExp(`/recordings/v1/${id(3050)}/recording\\.mp4\\?expires=\\d+&signature=`)
    )
    for (const size of [1, 2, 7] as const) {
      assert.deepStrictEqual(await messagesOf(log[size]), expected, `batches of ${size}`)
    }
    // Sequences count 1, 2, 3… per subject with no gap.
    const bySubject = new Map<string, Array<number>>()
    for (const line of expected) {
      const message = JSON.parse(line.slice(0, line.lastIndexOf(" -> "))) as {
        sequence: number
        data: { livestream_id?: string; meeting_id?: string }
      }
      const subject = message.data.livestream_id ?? message.data.meeting_id ?? "?"
      bySubject.set(subject, [...(bySubject.get(subject) ?? []), message.sequence])
    }
    for (const [subject, sequences] of bySubject) {
      assert.deepStrictEqual(
        sequences,
        sequences.map((_, i) => i + 1),
        subject
      )
    }

    // An outbox that ran before its state had a table: a checkpoint in the middle of the log and no state.
    // The run builds the state up to the checkpoint without storing those messages again, then stores the
    // rest exactly as a run from the start would have.
    const middle = log[7][Math.floor(log[7].length / 2)]!.at(-1)!.position
    const stored = await runtime.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient
        yield* sql`TRUNCATE onair_outbox_state, onair_webhook_deliveries, onair_webhook_messages`
        yield* sql`
        INSERT INTO onair_checkpoints (consumer, transaction_id, global_position)
        VALUES (${Outbox.CONSUMER}, ${String(middle.transaction)}::xid8, ${middle.sequence})
        ON CONFLICT (consumer) DO UPDATE SET transaction_id = excluded.transaction_id, global_position = excluded.global_position`
        const before = log[500].flat().filter((event) => comparePositions(event.position, middle) <= 0).length
        const fiber = yield* Effect.forkChild(Outbox.run(urls, { pollInterval: "10 millis" }))
        const bodies = sql<{ body: string }>`SELECT body FROM onair_webhook_messages ORDER BY position`
        const lastId = JSON.parse(expected.at(-1)!.split(" -> ")[0]!).id
        const rows = yield* eventually(
          "the outbox at the log's end",
          Effect.map(bodies, (rows) =>
            rows.length > 0 && JSON.parse(rows.at(-1)!.body).id === lastId ? rows : undefined
          )
        )
        yield* Fiber.interrupt(fiber)
        return { bodies: rows.map((row) => row.body), before }
      })
    )
    assert.isAbove(stored.before, 10)
    const afterMiddle = (await messagesOf(log[500])).map((line) => line.slice(0, line.lastIndexOf(" -> ")))
    assert.deepStrictEqual(stored.bodies, afterMiddle.slice(afterMiddle.length - stored.bodies.length))
    assert.isBelow(stored.bodies.length, afterMiddle.length, "the messages before the checkpoint are not stored again")
    assert.isAbove(stored.bodies.length, 10)
  })
})
