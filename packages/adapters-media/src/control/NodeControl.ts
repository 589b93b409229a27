/**
 * The control plane's side of `MediaControl`: every node's requests decided here, into core signals and
 * media node commands, answered from the catalog once it has them. The embedded node of the main job calls
 * it in-process; nodes of their own reach it through `NodeApi`.
 *
 * This module puts a node's requests together (`forNode`), each kind a module of its own: `NodeLeases`
 * (registration and lease), `PublishDecisions` (the publish question), `NodeConnections` (what the node
 * reports of the connections it holds, and ending them), `NodeSessionReports` (playback, open sessions,
 * viewer seconds, SRT listeners), `NodeRecordingReports`, `RelayControl`; every report reaches the command
 * path through `NodeSignals`. It also fails what a lost node was recording.
 */
import { currentTimestamp, RecordingCommands } from "@onair/application"
import { RecordingReads } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import { type Ingest, type LivestreamId, type MediaNodeId, originMetadata } from "@onair/core"
import { Config, Context, Effect, Layer, Schema } from "effect"
import { MediaControl, type PlaybackSession } from "../protocol/MediaControl.ts"
import * as NodeConnections from "./NodeConnections.ts"
import * as NodeLeases from "./NodeLeases.ts"
import type { LeaseSettings } from "./NodeLeases.ts"
export type { LeaseSettings } from "./NodeLeases.ts"
import * as NodePlayback from "./NodePlayback.ts"
import * as NodeRecordingReports from "./NodeRecordingReports.ts"
import * as NodeSessionReports from "./NodeSessionReports.ts"
import * as NodeSignals from "./NodeSignals.ts"
import * as PublishDecisions from "./PublishDecisions.ts"
import * as PublishMetrics from "./PublishMetrics.ts"
import * as ComposerControl from "./ComposerControl.ts"
import * as RelayControl from "./RelayControl.ts"

/**
 * The lease runs out this long before `leaseSeconds` have passed since the node's last heartbeat: the
 * watch (every 250 ms) then has the rest to end its connections, so none stays live for more than
 * `leaseSeconds` after its node's last sign of life (100 sessions end in about 0.9 s here).
 */
export const SETTLE_MILLIS = 2_000

/** Recordings of a lost node failed at once. */
const FAIL_CONCURRENCY = 16

export class NodeControl extends Context.Service<
  NodeControl,
  {
    readonly settings: LeaseSettings
    /** `MediaControl` for node `nodeId`: what that node may ask, and nothing about another node. */
    readonly forNode: (nodeId: MediaNodeId) => MediaControl["Service"]
    /** Whether node `nodeId` has registered: until then its credential may only register (and heartbeat, leave). */
    readonly isRegistered: (nodeId: MediaNodeId) => Effect.Effect<boolean>
    /** Fails the recordings node `nodeId` was still writing (it is lost); how many. */
    readonly failRecordingsOn: (nodeId: MediaNodeId) => Effect.Effect<number>
    /** Where a livestream's broadcast is served, for `/hls` on a process with no node of its own. */
    readonly playbackOf: (livestreamId: LivestreamId, withHealth: boolean) => Effect.Effect<PlaybackSession | null>
    /** Ends these connections (their media is gone) and each broadcast they carried, with `message`. */
    readonly endIngests: (ingests: ReadonlyArray<Ingest>, message: string) => Effect.Effect<void>
    /** Ends the connections of `nodeId`'s boot `bootId` (of every boot but `bootId`, when `except`). */
    readonly endConnections: (
      nodeId: MediaNodeId,
      boot: { readonly only: string } | { readonly except: string },
      message: string
    ) => Effect.Effect<number>
  }
>()("@onair/adapters-media/NodeControl") {
  /** `ONAIR_MEDIA_NODE_LEASE_SECONDS` (default 10): a node heartbeats every fifth of it. */
  static readonly settingsFromEnv = Effect.map(
    Config.schema(
      Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 3, maximum: 300 }))),
      "ONAIR_MEDIA_NODE_LEASE_SECONDS"
    ).pipe(Config.withDefault(10)),
    (leaseSeconds): LeaseSettings => ({ leaseSeconds, heartbeatSeconds: Math.max(1, Math.floor(leaseSeconds / 5)) })
  )

  static readonly make = (settings: LeaseSettings) =>
    Effect.gen(function* () {
      const recordings = yield* RecordingCommands
      const recordingReads = yield* RecordingReads
      const registry = yield* MediaNodeRegistry
      const signals = yield* NodeSignals.make
      const publishes = yield* PublishDecisions.make(signals)
      const connections = yield* NodeConnections.make(signals)
      const playbackOf = yield* NodePlayback.make
      const relays = yield* RelayControl.make
      const composers = yield* ComposerControl.make
      const recordingReports = yield* NodeRecordingReports.make
      const sessionReports = yield* NodeSessionReports.make((livestreamId, withHealth, self) =>
        playbackOf(livestreamId, withHealth, self)
      )
      const leases = yield* NodeLeases.make(settings, settings.leaseSeconds * 1000 - SETTLE_MILLIS, (nodeId, bootId) =>
        connections.endConnections(nodeId, { except: bootId }, "media node restarted")
      )

      /** Fails what a lost node was still recording: its files went with it. */
      const failRecordingsOn = Effect.fn("NodeControl.failRecordingsOn")(function* (nodeId: MediaNodeId) {
        const unsettled = yield* recordingReads.unsettledOn(nodeId)
        const at = yield* currentTimestamp
        yield* Effect.forEach(
          unsettled,
          (recording) =>
            recordings
              .handle(
                { _tag: "FailRecording", recordingId: recording.id, at, reason: "media node lost" },
                originMetadata(`recording:${recording.id}:lost`, "system:media-nodes", at)
              )
              .pipe(
                Effect.asVoid,
                Effect.catch((error) => Effect.logWarning(`media: recording ${recording.id} not failed: ${error._tag}`))
              ),
          { concurrency: FAIL_CONCURRENCY, discard: true }
        )
        return unsettled.length
      })

      const forNode = (nodeId: MediaNodeId): MediaControl["Service"] =>
        MediaControl.of({
          nodeId,
          ...leases.forNode(nodeId),
          // Each decision, counted for `/metrics`.
          publish: (request) => Effect.tap(publishes.decide(nodeId, request), PublishMetrics.record),
          ...connections.forNode(nodeId),
          ...sessionReports.forNode(nodeId),
          ...recordingReports.forNode(nodeId),
          ...relays.forNode(nodeId),
          ...composers.forNode(nodeId)
        })

      return NodeControl.of({
        settings,
        forNode,
        isRegistered: (nodeId) => Effect.map(registry.node(nodeId), (node) => node !== undefined),
        endConnections: connections.endConnections,
        endIngests: connections.endIngests,
        failRecordingsOn,
        playbackOf: (livestreamId, withHealth) => playbackOf(livestreamId, withHealth)
      })
    })

  static readonly layer = Layer.effect(NodeControl, Effect.flatMap(NodeControl.settingsFromEnv, NodeControl.make))
}
