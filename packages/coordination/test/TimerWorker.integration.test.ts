/**
 * The timer worker on the catalog's livestream table, wired as the main job wires it: a broadcast with no
 * media ends at its start timeout; an encoder that leaves and does not come back ends its session when the
 * reconnect window expires; no timer fires before it is due. Then several workers (replicas, each with its
 * own connections) on one PostgreSQL database: every timer is claimed by exactly one of them.
 */
import { CommandHandler, TimerWorker } from "@onair/application"
import { Catalog, CatalogProjection, CatalogReads, CatalogStreamKeys, CatalogWatch } from "@onair/catalog"
import { DueTimerClaims } from "@onair/coordination"
import {
  AccountId,
  AppId,
  IngestId,
  LivestreamId,
  originMetadata,
  SessionId,
  type Signal,
  StreamKey,
  Timestamp,
  LOCAL_MEDIA_NODE
} from "@onair/core"
import { Database } from "@onair/event-store"
import { embeddedDatabase, eventually, freshPostgresUrl } from "@onair/event-store/testing"
import { Clock, Effect, Fiber, Layer, ManagedRuntime, Redacted } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, assert, describe, it } from "vitest"

const key = () => StreamKey.make(`${crypto.randomUUID().replaceAll("-", "")}timer`)
const scope = { accountId: AccountId.make("acct_timers"), appId: AppId.make("app_1") }
const base = { name: null, meetingId: null, videoConfig: null }

const create = (
  livestreamId: LivestreamId,
  at: Timestamp,
  streamKey: StreamKey,
  startTimeoutSeconds: number,
  reconnectWindowSeconds: number
): Signal => ({
  _tag: "CreateLivestream",
  livestreamId,
  at,
  ...scope,
  ...base,
  streamKey,
  limits: { startTimeoutSeconds, maxDurationSeconds: 3600 },
  reconnectWindowSeconds,
  sessionId: SessionId.make(crypto.randomUUID())
})

describe("timer worker", () => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-timers-"))
  const runtime = ManagedRuntime.make(
    CommandHandler.layer().pipe(Layer.provideMerge(Catalog.layer), Layer.provideMerge(embeddedDatabase(dataDir)))
  )
  afterAll(async () => {
    await runtime.dispose()
    Fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it("ends a broadcast at its start timeout and a session when its reconnect window expires, never early", async () => {
    const outcome = await runtime.runPromise(
      Effect.gen(function* () {
        const commands = yield* CommandHandler
        const catalog = yield* CatalogReads
        const now = Timestamp.make(yield* Clock.currentTimeMillis)
        const handle = (signal: Signal) =>
          commands.handle(signal, originMetadata(`test:${crypto.randomUUID()}`, "test", now))
        const waiting = LivestreamId.make(crypto.randomUUID())
        const leaving = LivestreamId.make(crypto.randomUUID())
        const later = LivestreamId.make(crypto.randomUUID())
        const leavingKey = key()
        yield* handle(create(waiting, now, key(), 1, 60))
        yield* handle(create(leaving, now, leavingKey, 3600, 1))
        // Due in an hour: claimed by nobody meanwhile.
        yield* handle(create(later, now, key(), 3600, 60))
        const ingestId = IngestId.make(`nginx-${crypto.randomUUID()}`)
        yield* handle({
          _tag: "Publish",
          nodeId: LOCAL_MEDIA_NODE,
          nodeRegion: null,
          nodeAccepting: true,
          at: now,
          ingestId,
          streamKey: leavingKey,
          publisher: { ip: "203.0.113.1", port: 1 },
          sessionId: SessionId.make(crypto.randomUUID())
        })
        yield* handle({ _tag: "Unpublish", at: now, ingestId })

        const source = yield* DueTimerClaims.make
        const claimed: Array<string> = []
        const worker = yield* Effect.forkChild(
          TimerWorker.run(
            {
              claimDue: (at, limit) =>
                Effect.tap(source.claimDue(at, limit), (rows) =>
                  Effect.sync(() => claimed.push(...rows.map((timer) => timer.livestreamId)))
                )
            },
            { tick: "100 millis" }
          )
        )
        const read = Effect.all({
          waited: catalog.livestream(scope, waiting),
          left: catalog.livestream(scope, leaving),
          later: catalog.livestream(scope, later)
        })
        const seen = yield* eventually(
          "both timers fired",
          Effect.map(read, (seen) =>
            seen.waited?.lastBroadcast == null || seen.left?.lastBroadcast == null ? undefined : seen
          )
        )
        yield* Fiber.interrupt(worker)
        return { ...seen, claimed, laterId: later }
      })
    )
    assert.strictEqual(outcome.waited?.lastBroadcast?.reason, "start timeout")
    assert.strictEqual(outcome.waited?.broadcast._tag, "Idle")
    assert.strictEqual(outcome.left?.lastBroadcast?.reason, "reconnection window expired")
    assert.strictEqual(outcome.later?.broadcast._tag, "Invoked")
    assert.notInclude(outcome.claimed, outcome.laterId)
  })
})

describe("timer workers on replicas", () => {
  it("three workers with their own connections on one PostgreSQL: each of 60 due timers is claimed once", async () => {
    const run = Effect.scoped(
      Effect.gen(function* () {
        const url = Redacted.make(yield* freshPostgresUrl)
        const replica = () =>
          ManagedRuntime.make(
            CommandHandler.layer().pipe(
              Layer.provideMerge(Layer.merge(CatalogProjection.layer, CatalogStreamKeys.layer)),
              Layer.provide(CatalogWatch.layer),
              Layer.provideMerge(Database.layer({ _tag: "Postgres", url }, { maxConnections: 4 }))
            )
          )
        const replicas = [replica(), replica(), replica()]
        yield* Effect.addFinalizer(() => Effect.promise(() => Promise.all(replicas.map((r) => r.dispose()))))
        const first = replicas[0]!
        const count = 60
        const ids = Array.from({ length: count }, () => LivestreamId.make(crypto.randomUUID()))
        yield* Effect.promise(() =>
          first.runPromise(
            Effect.gen(function* () {
              const commands = yield* CommandHandler
              const now = Timestamp.make(yield* Clock.currentTimeMillis)
              for (const id of ids)
                yield* commands.handle(create(id, now, key(), 1, 60), originMetadata(`test:${id}`, "test", now))
            })
          )
        )
        const claims = replicas.map(() => [] as Array<string>)
        const workers = yield* Effect.forEach(replicas, (r, index) =>
          Effect.promise(() =>
            r.runPromise(
              Effect.gen(function* () {
                const source = yield* DueTimerClaims.make
                return yield* Effect.forkDetach(
                  TimerWorker.run(
                    {
                      claimDue: (at, limit) =>
                        Effect.tap(source.claimDue(at, limit), (rows) =>
                          Effect.sync(() => claims[index]!.push(...rows.map((timer) => timer.livestreamId)))
                        )
                    },
                    { tick: "50 millis", batchSize: 7 }
                  )
                )
              })
            )
          )
        )
        // Every broadcast ended by its start timeout, as the table (kept by one replica) says.
        const ended = () =>
          first.runPromise(
            Effect.gen(function* () {
              const sql = yield* SqlClient
              const rows = yield* sql<{
                n: number
              }>`SELECT count(*)::int AS n FROM onair_livestreams WHERE status = 'IDLE'`
              return rows[0]!.n
            })
          )
        yield* eventually(
          "every broadcast ended",
          Effect.map(Effect.promise(ended), (idle) => (idle >= count ? true : undefined))
        )
        yield* Effect.forEach(workers, (fiber, index) =>
          Effect.promise(() => replicas[index]!.runPromise(Fiber.interrupt(fiber)))
        )
        return { idle: yield* Effect.promise(ended), claims }
      })
    )
    const outcome = await Effect.runPromise(run)
    assert.strictEqual(outcome.idle, 60)
    const all = outcome.claims.flat()
    assert.strictEqual(all.length, 60, `claims per replica: ${outcome.claims.map((c) => c.length).join(", ")}`)
    assert.strictEqual(new Set(all).size, 60)
    // The work was shared, not done by one replica while the others watched.
    assert.isAtLeast(outcome.claims.filter((c) => c.length > 0).length, 2)
  }, 90_000)
})
