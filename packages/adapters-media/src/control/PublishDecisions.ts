/**
 * A node's publish question, decided: the connection's ingest id made here (so a node can only ever name
 * its own connections, and one boot's from the next's), the node's standing (drained, or a boot without
 * its lease, is refused for the node; the core refuses a livestream placed elsewhere as `wrong media
 * node`), the verdict taken from what the command decided, the session's recording started when its
 * livestream records, and one wait for the catalog to hold the later of the two appends.
 */
import { awaitReadModel, currentTimestamp, type Handled, RecordingCommands } from "@onair/application"
import { AppSettingsReads, CatalogReads } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import {
  IngestDecider,
  type IngestId,
  type IngestVerdict,
  type Livestream,
  type MediaNodeId,
  nodeIngestId,
  originMetadata,
  type SessionId,
  StreamKey,
  takesPublishers
} from "@onair/core"
import { Effect, Schema } from "effect"
import { randomUUID } from "node:crypto"
import type { MediaControl, PublishAnswer } from "../protocol/MediaControl.ts"
import type { NodeSignals } from "./NodeSignals.ts"

/**
 * The publish verdict a unit of work decided for `ingestId`, if it decided one (a repeat decides none): the
 * ingest's own state after its decided event, as the core folds it.
 */
const verdictOf = (handled: Handled, ingestId: IngestId): IngestVerdict | undefined => {
  const decided = handled.changes.find((change) => change.kind === "ingest" && change.id === ingestId)
  return decided?.kind === "ingest" ? IngestDecider.evolve(null, decided.event)?.verdict : undefined
}

const isStreamKey = Schema.is(StreamKey)

export const make = (signals: NodeSignals) =>
  Effect.gen(function* () {
    const recordings = yield* RecordingCommands
    const catalog = yield* CatalogReads
    const appSettings = yield* AppSettingsReads
    const registry = yield* MediaNodeRegistry

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

    /** Node `nodeId`'s publish question, decided. */
    const decide = Effect.fn("NodeControl.publish")(function* (
      nodeId: MediaNodeId,
      request: Parameters<MediaControl["Service"]["publish"]>[0]
    ) {
      // A name that cannot be a key matches no livestream; nothing is recorded for it.
      if (!isStreamKey(request.streamName)) return { _tag: "Refused", reason: "unknown key" } as PublishAnswer
      const ingestId = nodeIngestId(nodeId, request.bootId, request.nginxRun, request.clientId) as IngestId
      const at = yield* currentTimestamp
      const node = yield* standing(nodeId, request.bootId)
      const decided = yield* signals.record(
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
        yield* signals.send(nodeId, { _tag: "Unpublish", at, ingestId }, `media:${ingestId}:done`, [
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
      const latencyMode = livestream?.latencyMode ?? "standard"
      const dvrWindowSeconds = livestream?.dvrWindowSeconds ?? 0
      // Only a broadcast the node packages shows a slate: the others' decisions read nothing more.
      const slateImageUrl =
        livestream !== undefined && (latencyMode !== "standard" || dvrWindowSeconds > 0)
          ? (yield* appSettings.settings(livestream, yield* currentTimestamp)).slateImageUrl
          : null
      return {
        _tag: "Accepted",
        ingestId,
        livestreamId,
        sessionId,
        renditions,
        latencyMode,
        dvrWindowSeconds,
        slateImageUrl
      } as PublishAnswer
    })

    return { decide }
  })
