/**
 * The connections a node's publishes made, after the decision: their ends, health, first playlists and
 * refused ladders reported by the node that holds them (a node names only its own: `owns`), whether each
 * is still its livestream's publisher, and every connection of a boot ended at once when its media is gone.
 */
import { currentTimestamp } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import {
  bootIngestPrefix,
  type Ingest,
  type IngestId,
  type MediaNodeId,
  nodeOfIngest,
  type RenditionName,
  type RenditionsRefusal
} from "@onair/core"
import { Effect } from "effect"
import type { MediaControl } from "../protocol/MediaControl.ts"
import type { NodeSignals } from "./NodeSignals.ts"

/** Connections of a lost node ended at once. */
const END_CONCURRENCY = 16

export const make = (signals: NodeSignals) =>
  Effect.gen(function* () {
    const catalog = yield* CatalogReads
    const registry = yield* MediaNodeRegistry
    const send = signals.send

    /** Ends these connections (their media is gone) and each broadcast they carried, with `message`. */
    const endIngests = Effect.fn("NodeControl.endIngests")(function* (ingests: ReadonlyArray<Ingest>, message: string) {
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

    /** What node `nodeId` reports of its connections. */
    const forNode = (nodeId: MediaNodeId) => {
      const owns = (ingestId: string) => nodeOfIngest(ingestId) === nodeId

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

      return { publishDone, reportHealth, reportManifest, renditionsRefused, entitled, mediaLost }
    }

    return { endIngests, endConnections, forNode }
  })
