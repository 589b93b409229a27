/**
 * The control plane's side of `MediaControl`: every node's requests decided here, into core signals and
 * media node commands, answered from the catalog once it has them. The embedded node of the main job calls
 * it in-process; nodes of their own reach it through `NodeApi`.
 *
 * This module decides publishes and takes the reports of the connections they made, and ends the
 * connections of a lost node; the rest of a node's requests are modules of their own, put together in
 * `forNode`: `NodeLeases` (registration and lease), `NodeSessionReports` (playback, open sessions, viewer
 * seconds, SRT listeners), `NodeRecordingReports` and `RelayControl`.
 *
 * - A connection's ingest id is made here (`nodeIngestId`), so a node can only ever name its own
 *   connections, and the connections of one boot of a node are told from the next's.
 * - A publish on a node that is drained, or whose boot holds no lease, is refused for the node; one of a
 *   livestream placed on another node or region is refused as `wrong media node` (the core decides both).
 */
import { awaitReadModel, CommandHandler, currentTimestamp, type Handled, RecordingCommands } from "@onair/application"
import { CatalogReads, RecordingReads } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import {
  bootIngestPrefix,
  type Ingest,
  type IngestId,
  type IngestSignal,
  type IngestVerdict,
  type Livestream,
  type LivestreamId,
  type MediaNodeId,
  nodeIngestId,
  nodeOfIngest,
  originMetadata,
  type RenditionName,
  type RenditionsRefusal,
  type SessionId,
  StreamKey,
  takesPublishers,
  Timestamp
} from "@onair/core"
import { Config, Context, Effect, Layer, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { MediaControl, type PlaybackSession, type PublishAnswer } from "../protocol/MediaControl.ts"
import * as NodeLeases from "./NodeLeases.ts"
import type { LeaseSettings } from "./NodeLeases.ts"
export type { LeaseSettings } from "./NodeLeases.ts"
import * as NodeRecordingReports from "./NodeRecordingReports.ts"
import * as NodeSessionReports from "./NodeSessionReports.ts"
import * as RelayControl from "./RelayControl.ts"
import * as PublishMetrics from "./PublishMetrics.ts"

/**
 * The lease runs out this long before `leaseSeconds` have passed since the node's last heartbeat: the
 * watch (every 250 ms) then has the rest to end its connections, so none stays live for more than
 * `leaseSeconds` after its node's last sign of life (100 sessions end in about 0.9 s here).
 */
export const SETTLE_MILLIS = 2_000

/** Connections of a lost node ended at once. */
const END_CONCURRENCY = 16
/** How often one signal is stamped again after being refused as out of order. */
const RESTAMPS = 3

/** The publish verdict a unit of work decided for `ingestId`, if it decided one (a repeat decides none). */
const verdictOf = (handled: Handled, ingestId: IngestId): IngestVerdict | undefined => {
  for (const change of handled.changes) {
    if (change.kind !== "ingest" || change.id !== ingestId) continue
    if (change.event._tag === "IngestAccepted")
      return { _tag: "Accepted", livestreamId: change.event.livestreamId, sessionId: change.event.sessionId }
    if (change.event._tag === "IngestRefused")
      return { _tag: "Refused", livestreamId: change.event.livestreamId, reason: change.event.reason }
  }
  return undefined
}

const isStreamKey = Schema.is(StreamKey)

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
      const commands = yield* CommandHandler
      const recordings = yield* RecordingCommands
      const recordingReads = yield* RecordingReads
      const catalog = yield* CatalogReads
      const registry = yield* MediaNodeRegistry
      const relays = yield* RelayControl.make
      const recordingReports = yield* NodeRecordingReports.make
      const sessionReports = yield* NodeSessionReports.make((livestreamId, withHealth, self) =>
        playbackOf(livestreamId, withHealth, self)
      )
      const leaseMillis = settings.leaseSeconds * 1000 - SETTLE_MILLIS

      /**
       * Sends a signal; what it decided, or undefined when it was not recorded. A signal is stamped when it
       * arrives, so two arriving together (an end and a health report) may be appended in the other order,
       * or stamped by another API process whose clock is behind: one refused as out of order is stamped
       * again, no earlier than the aggregate's last change, because what the node reports happened all the
       * same (an end refused for its time would leave its session open for good).
       */
      const record = (
        nodeId: MediaNodeId,
        signal: IngestSignal,
        commandId: string,
        expected: ReadonlyArray<string> = [],
        restamps = RESTAMPS
      ): Effect.Effect<Handled | undefined> =>
        commands.handle(signal, originMetadata(commandId, `media-node:${nodeId}`, signal.at)).pipe(
          Effect.catchTag("CommandOutOfOrder", (error) =>
            restamps === 0
              ? Effect.fail(error)
              : Effect.flatMap(currentTimestamp, (now) =>
                  record(
                    nodeId,
                    { ...signal, at: Timestamp.make(Math.max(now, error.lastChangedAt)) },
                    commandId,
                    expected,
                    restamps - 1
                  )
                )
          ),
          Effect.catch((error) =>
            expected.includes(error._tag)
              ? Effect.succeed(undefined)
              : Effect.as(
                  Effect.logWarning(`media: ${signal._tag} of ${signal.ingestId} not recorded: ${error._tag}`),
                  undefined
                )
          )
        )

      /** Sends a signal and waits until the catalog has it; false when it was not recorded. */
      const send = (
        nodeId: MediaNodeId,
        signal: IngestSignal,
        commandId: string,
        expected: ReadonlyArray<string> = []
      ): Effect.Effect<boolean> =>
        Effect.flatMap(record(nodeId, signal, commandId, expected), (handled) =>
          handled === undefined
            ? Effect.succeed(false)
            : Effect.as(awaitReadModel(catalog)(Effect.succeed(handled)), true)
        )

      /** Ends these connections (their media is gone) and each broadcast they carried, with `message`. */
      const endIngests = Effect.fn("NodeControl.endIngests")(function* (
        ingests: ReadonlyArray<Ingest>,
        message: string
      ) {
        const at = yield* currentTimestamp
        // Side by side: each is its own livestream's unit of work, and all must end inside the lease.
        yield* Effect.forEach(
          ingests,
          (ingest) =>
            send(
              ingest.nodeId,
              { _tag: "ReportMediaLost", at, ingestId: ingest.id, message },
              `media:${ingest.id}:lost`,
              ["IngestAlreadyDisconnected", "IngestNotFound"]
            ),
          { concurrency: END_CONCURRENCY, discard: true }
        )
      })

      const endConnections = Effect.fn("NodeControl.endConnections")(function* (
        nodeId: MediaNodeId,
        boot: { readonly only: string } | { readonly except: string },
        message: string
      ) {
        const connected = yield* registry.connectedOn(nodeId)
        const ended = connected.filter((ingest) =>
          "only" in boot
            ? ingest.id.startsWith(bootIngestPrefix(nodeId, boot.only))
            : !ingest.id.startsWith(bootIngestPrefix(nodeId, boot.except))
        )
        yield* endIngests(ended, message)
        if (ended.length > 0)
          yield* Effect.logWarning(`media: ${ended.length} connection(s) of node ${nodeId} ended: ${message}`)
        return ended.length
      })

      const leases = yield* NodeLeases.make(settings, leaseMillis, (nodeId, bootId) =>
        endConnections(nodeId, { except: bootId }, "media node restarted")
      )

      /**
       * The session's recording, started with its first accepted publish when its livestream records
       * (a reconnect finds it started: one recording per session); the transaction it was appended in (0
       * for none), for the decision's one wait for the catalog.
       */
      const startRecording = (nodeId: MediaNodeId, livestream: Livestream, sessionId: SessionId) =>
        Effect.gen(function* () {
          if (!livestream.record) return 0
          const at = yield* currentTimestamp
          return yield* recordings
            .handle(
              {
                _tag: "StartRecording",
                recordingId: sessionId,
                at,
                livestreamId: livestream.id,
                accountId: livestream.accountId,
                appId: livestream.appId,
                nodeId
              },
              originMetadata(`recording:${sessionId}:start`, `media-node:${nodeId}`, at)
            )
            .pipe(
              Effect.map((handled) => handled.append?.transaction ?? 0),
              Effect.catch((error) =>
                error._tag === "RecordingAlreadyStarted"
                  ? Effect.succeed(0)
                  : Effect.as(Effect.logWarning(`media: recording ${sessionId} not started: ${error._tag}`), 0)
              )
            )
        })

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
          { concurrency: END_CONCURRENCY, discard: true }
        )
        return unsettled.length
      })

      /** The node's region, and whether its boot `bootId` holds its lease and the node takes publishers. */
      const standing = (nodeId: MediaNodeId, bootId: string) =>
        Effect.gen(function* () {
          const lease = yield* registry.leaseOf(nodeId)
          const node = yield* registry.node(nodeId)
          const leased = lease !== undefined && lease.bootId === bootId && !lease.lost
          return {
            region: node?.region ?? null,
            accepting: leased && node !== undefined && node.bootId === bootId && takesPublishers(node)
          }
        })

      /**
       * The session a livestream has media for now, the node holding it (named by its ingest id, which the
       * control plane made) and that node's playback base (not looked up when the node is `self`, which
       * serves it itself); the stream's health only when asked for. Every player request asks: a playlist
       * or segment request costs the (cached) livestream read alone.
       */
      const playbackOf = Effect.fn("NodeControl.playbackOf")(function* (
        livestreamId: LivestreamId,
        withHealth: boolean,
        self?: MediaNodeId
      ) {
        const livestream = yield* catalog.livestreamById(livestreamId)
        if (livestream === undefined || livestream.deleted) return null
        const broadcast = livestream.broadcast
        if (broadcast._tag !== "Connected" && broadcast._tag !== "Reconnecting") return null
        const holder = nodeOfIngest(broadcast.ingestId) as MediaNodeId
        const node = holder === self ? undefined : yield* registry.node(holder)
        const health = withHealth ? ((yield* catalog.ingest(broadcast.ingestId))?.health ?? null) : null
        return {
          sessionId: broadcast.sessionId,
          nodeId: holder,
          playbackBase: node?.addresses.playback ?? null,
          health
        } satisfies PlaybackSession
      })

      const forNode = (nodeId: MediaNodeId): MediaControl["Service"] => {
        const owns = (ingestId: string) => nodeOfIngest(ingestId) === nodeId

        const decide = Effect.fn("NodeControl.publish")(function* (
          request: Parameters<MediaControl["Service"]["publish"]>[0]
        ) {
          // A name that cannot be a key matches no livestream; nothing is recorded for it.
          if (!isStreamKey(request.streamName)) return { _tag: "Refused", reason: "unknown key" } as PublishAnswer
          const ingestId = nodeIngestId(nodeId, request.bootId, request.nginxRun, request.clientId) as IngestId
          const at = yield* currentTimestamp
          const node = yield* standing(nodeId, request.bootId)
          const decided = yield* record(
            nodeId,
            {
              _tag: "Publish",
              at,
              ingestId,
              nodeId,
              nodeRegion: node.region,
              nodeAccepting: node.accepting,
              streamKey: request.streamName,
              publisher: { ip: request.address, port: 0 },
              ...(request.protocol === undefined ? {} : { protocol: request.protocol }),
              sessionId: randomUUID() as SessionId
            },
            `media:${ingestId}:publish`
          )
          // Fails closed: without a recorded decision nothing publishes.
          if (decided === undefined) return { _tag: "Refused", reason: "publish not decided" } as PublishAnswer
          // The verdict as it was decided now; a repeated request's (its first answer's) from the catalog.
          const verdict =
            verdictOf(decided, ingestId) ??
            (yield* Effect.flatMap(awaitReadModel(catalog)(Effect.succeed(decided)), () =>
              Effect.map(catalog.ingest(ingestId), (ingest) => ingest?.verdict)
            ))
          if (verdict === undefined) return { _tag: "Refused", reason: "publish not decided" } as PublishAnswer
          if (verdict._tag === "Refused") {
            yield* awaitReadModel(catalog)(Effect.succeed(decided))
            // nginx reports no end for a publish it was told to refuse: the connection is over now.
            yield* send(nodeId, { _tag: "Unpublish", at, ingestId }, `media:${ingestId}:done`, [
              "IngestAlreadyDisconnected"
            ])
            return { _tag: "Refused", reason: verdict.reason } as PublishAnswer
          }
          const { livestreamId, sessionId } = verdict
          // Its recording and its ladder are its configuration, which the publish does not change.
          const livestream = yield* catalog.livestreamById(livestreamId)
          const recorded = livestream === undefined ? 0 : yield* startRecording(nodeId, livestream, sessionId)
          // One wait, for the later of the two appends: the catalog takes the log in order.
          yield* awaitReadModel(catalog)(
            Effect.succeed({ append: { transaction: Math.max(recorded, decided.append?.transaction ?? 0) } })
          )
          const renditions = livestream?.renditions ?? []
          return { _tag: "Accepted", ingestId, livestreamId, sessionId, renditions } as PublishAnswer
        })

        /** Each decision, counted for `/metrics`. */
        const publish = (request: Parameters<MediaControl["Service"]["publish"]>[0]) =>
          Effect.tap(decide(request), PublishMetrics.record)

        const publishDone = (ingestId: IngestId) =>
          owns(ingestId)
            ? Effect.flatMap(currentTimestamp, (at) =>
                Effect.asVoid(
                  send(nodeId, { _tag: "Unpublish", at, ingestId }, `media:${ingestId}:done`, [
                    "IngestAlreadyDisconnected",
                    "IngestNotFound"
                  ])
                )
              )
            : Effect.void

        const reportHealth = (ingestId: IngestId, health: Parameters<MediaControl["Service"]["reportHealth"]>[1]) =>
          owns(ingestId)
            ? Effect.flatMap(currentTimestamp, (at) =>
                // One sample per connection and instant.
                Effect.asVoid(
                  send(nodeId, { _tag: "ReportHealth", at, ingestId, health }, `media:${ingestId}:health:${at}`, [
                    "IngestNotConnected"
                  ])
                )
              )
            : Effect.void

        const reportManifest = (ingestId: IngestId) =>
          owns(ingestId)
            ? Effect.flatMap(currentTimestamp, (at) =>
                Effect.asVoid(
                  send(nodeId, { _tag: "ReportManifest", at, ingestId }, `media:${ingestId}:manifest`, [
                    "IngestNotConnected"
                  ])
                )
              )
            : Effect.void

        const renditionsRefused = (
          ingestId: IngestId,
          reason: RenditionsRefusal,
          renditions: ReadonlyArray<RenditionName>
        ) =>
          owns(ingestId)
            ? Effect.flatMap(currentTimestamp, (at) =>
                Effect.asVoid(
                  send(
                    nodeId,
                    { _tag: "ReportRenditionsRefused", at, ingestId, reason, renditions },
                    `media:${ingestId}:renditions-refused:${at}`,
                    ["IngestNotConnected"]
                  )
                )
              )
            : Effect.void

        const entitled = Effect.fn("NodeControl.entitled")(function* (
          connections: Parameters<MediaControl["Service"]["entitled"]>[0]
        ) {
          const still: Array<IngestId> = []
          for (const connection of connections) {
            if (!owns(connection.ingestId)) continue
            const livestream = yield* catalog.livestreamById(connection.livestreamId)
            if (
              livestream !== undefined &&
              !livestream.deleted &&
              livestream.broadcast._tag === "Connected" &&
              livestream.broadcast.ingestId === connection.ingestId
            )
              still.push(connection.ingestId)
          }
          return still
        })

        const mediaLost = Effect.fn("NodeControl.mediaLost")(function* (bootId: string, message: string) {
          yield* endConnections(nodeId, { only: bootId }, message)
        })

        return MediaControl.of({
          nodeId,
          ...leases.forNode(nodeId),
          publish,
          publishDone,
          reportHealth,
          reportManifest,
          renditionsRefused,
          entitled,
          mediaLost,
          ...sessionReports.forNode(nodeId),
          ...recordingReports.forNode(nodeId),
          ...relays.forNode(nodeId)
        })
      }

      return NodeControl.of({
        settings,
        forNode,
        isRegistered: (nodeId) => Effect.map(registry.node(nodeId), (node) => node !== undefined),
        endConnections,
        endIngests,
        failRecordingsOn,
        playbackOf: (livestreamId, withHealth) => playbackOf(livestreamId, withHealth)
      })
    })

  static readonly layer = Layer.effect(NodeControl, Effect.flatMap(NodeControl.settingsFromEnv, NodeControl.make))
}
