/**
 * Media nodes' leases and connections in the catalog, on a real (embedded) store: the connections of a
 * node are its own, a lease that runs out is claimed once and settled, and connections left on a boot that
 * does not hold its node any more are found as orphans (a node with no lease, an earlier boot, a lease
 * given up), while the current boot's are not.
 */
import { embeddedDatabase } from "@onair/event-store/testing"
import { Catalog, CatalogReads } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import {
  AccountId,
  AppId,
  IngestId,
  LivestreamId,
  MediaNodeId,
  originMetadata,
  SessionId,
  type Signal,
  StreamKey,
  Timestamp
} from "@onair/core"
import { CommandHandler } from "@onair/application"
import { Effect, Layer, ManagedRuntime } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, assert, describe, it } from "vitest"

const T0 = Date.UTC(2026, 10, 27, 10, 0, 0)
const at = (seconds: number) => Timestamp.make(T0 + seconds * 1000)
const scope = { accountId: AccountId.make("acct_1"), appId: AppId.make("app_a") }
const node1 = MediaNodeId.make("node-1")
const node2 = MediaNodeId.make("node-2")
let counter = 0

describe("media nodes in the catalog", () => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-nodes-"))
  const runtime = ManagedRuntime.make(
    Layer.provideMerge(
      Layer.provideMerge(CommandHandler.layer(), Layer.merge(Catalog.layer, MediaNodeRegistry.layer)),
      embeddedDatabase(dataDir)
    )
  )
  afterAll(async () => {
    await runtime.dispose()
    Fs.rmSync(dataDir, { recursive: true, force: true })
  })

  /** A livestream live on `ingestId` of `nodeId`. */
  const live = (nodeId: MediaNodeId, ingestId: string) =>
    Effect.gen(function* () {
      const commands = yield* CommandHandler
      const catalog = yield* CatalogReads
      const run = (signal: Signal) =>
        Effect.flatMap(commands.handle(signal, originMetadata(`nodes-${++counter}`, "test", signal.at)), (handled) =>
          catalog.awaitTransaction(handled.append?.transaction ?? 0)
        )
      const streamKey = StreamKey.make(`${crypto.randomUUID().replaceAll("-", "")}key`)
      yield* run({
        _tag: "CreateLivestream",
        livestreamId: LivestreamId.make(crypto.randomUUID()),
        at: at(counter),
        ...scope,
        name: null,
        meetingId: null,
        videoConfig: null,
        streamKey,
        reconnectWindowSeconds: 60,
        limits: { startTimeoutSeconds: 3600, maxDurationSeconds: 43_200 },
        sessionId: SessionId.make(crypto.randomUUID())
      })
      yield* run({
        _tag: "Publish",
        at: at(counter),
        ingestId: IngestId.make(ingestId),
        nodeId,
        nodeRegion: null,
        nodeAccepting: true,
        streamKey,
        publisher: { ip: "203.0.113.7", port: 0 },
        sessionId: SessionId.make(crypto.randomUUID())
      })
    })

  it("keeps each node's connections, claims a lease that ran out once, and finds orphaned connections", async () => {
    const outcome = await runtime.runPromise(
      Effect.gen(function* () {
        const registry = yield* MediaNodeRegistry
        yield* live(node1, "node-1.boot-aaaa.0a0a0a0a.1")
        yield* live(node1, "node-1.boot-bbbb.0b0b0b0b.1")
        yield* live(node2, "node-2.boot-cccc.0c0c0c0c.1")
        const ids = (list: ReadonlyArray<{ readonly id: string }>) => list.map((ingest) => ingest.id).sort()
        const onNode1 = ids(yield* registry.connectedOn(node1))

        const now = T0 + 100_000
        yield* registry.lease(node1, "boot-bbbb", now, 9_000)
        const orphansWithLease = ids(yield* registry.orphaned(100))
        const renewed = yield* registry.renew(node1, "boot-bbbb", now + 1_000, 9_000, {
          streams: 1,
          cpu: 0.1,
          bandwidthIn: 1,
          bandwidthOut: 2
        })
        const renewedStale = yield* registry.renew(node1, "boot-aaaa", now + 1_000, 9_000, {
          streams: 0,
          cpu: 0,
          bandwidthIn: 0,
          bandwidthOut: 0
        })

        const notYet = yield* registry.claimExpired(now + 5_000, 30_000)
        const claimed = yield* registry.claimExpired(now + 20_000, 30_000)
        const claimedAgain = yield* registry.claimExpired(now + 21_000, 30_000)
        const orphansWhileClaimed = ids(yield* registry.orphaned(100))
        yield* registry.settleExpired(claimed[0]!)
        const renewedAfterLoss = yield* registry.renew(node1, "boot-bbbb", now + 22_000, 9_000, {
          streams: 1,
          cpu: 0,
          bandwidthIn: 0,
          bandwidthOut: 0
        })
        const orphansAfterLoss = ids(yield* registry.orphaned(100))
        return {
          onNode1,
          orphansWithLease,
          renewed,
          renewedStale,
          notYet,
          claimed,
          claimedAgain,
          orphansWhileClaimed,
          renewedAfterLoss,
          orphansAfterLoss
        }
      })
    )
    assert.deepStrictEqual(outcome.onNode1, ["node-1.boot-aaaa.0a0a0a0a.1", "node-1.boot-bbbb.0b0b0b0b.1"])
    // Node 2 never registered; node 1's earlier boot is not the one holding it.
    assert.deepStrictEqual(outcome.orphansWithLease, ["node-1.boot-aaaa.0a0a0a0a.1", "node-2.boot-cccc.0c0c0c0c.1"])
    assert.isTrue(outcome.renewed)
    assert.isFalse(outcome.renewedStale)
    assert.deepStrictEqual(outcome.notYet, [])
    assert.deepStrictEqual(outcome.claimed, [{ nodeId: node1, bootId: "boot-bbbb" }])
    assert.deepStrictEqual(outcome.claimedAgain, [], "a claimed lease is one process's to settle")
    // While a lease is being settled the sweep leaves its node to the settler, and looks again after.
    assert.deepStrictEqual(outcome.orphansWhileClaimed, ["node-2.boot-cccc.0c0c0c0c.1"])
    assert.isFalse(outcome.renewedAfterLoss, "a lost boot registers again")
    assert.deepStrictEqual(outcome.orphansAfterLoss, [
      "node-1.boot-aaaa.0a0a0a0a.1",
      "node-1.boot-bbbb.0b0b0b0b.1",
      "node-2.boot-cccc.0c0c0c0c.1"
    ])
  })
})
