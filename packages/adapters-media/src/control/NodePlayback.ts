/**
 * Where a livestream's broadcast is served: the session it has media for now, the node holding it (named
 * by its ingest id, which the control plane made) and that node's playback base (not looked up when the
 * node is `self`, which serves it itself); the stream's health only when asked for. Every player request
 * asks: a playlist or segment request costs the (cached) livestream read alone.
 */
import { CatalogReads } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import { type LivestreamId, type MediaNodeId, nodeOfIngest } from "@onair/core"
import { Effect } from "effect"
import type { PlaybackSession } from "../protocol/MediaControl.ts"

export const make = Effect.gen(function* () {
  const catalog = yield* CatalogReads
  const registry = yield* MediaNodeRegistry
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
      health,
      latencyMode: livestream.latencyMode
    } satisfies PlaybackSession
  })

  return playbackOf
})
