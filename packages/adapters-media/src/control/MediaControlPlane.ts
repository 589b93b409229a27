/**
 * The media plane as the control plane runs it: `NodeControl` deciding every node's requests, the node API
 * for nodes of their own, the core's `MediaPlane` answered from the nodes' leases, the embedded node's
 * in-process `MediaControl`, and `/hls` on the API for an API with no node beside it (every broadcast
 * redirected to its node). The lease watch (`NodeLeaseWatch.run`) runs beside the timers.
 */
import { MediaNodeRegistry, takesPublishersAt } from "@onair/coordination"
import { type MediaNodeId, MediaPlane } from "@onair/core"
import { Clock, Effect, Layer } from "effect"
import { MediaControl } from "../protocol/MediaControl.ts"
import * as NodeApi from "./NodeApi.ts"
import { NodeControl } from "./NodeControl.ts"
import * as Playback from "../node/Playback.ts"
import { Thumbnails } from "../node/Thumbnails.ts"
import { ViewerSeconds } from "../node/ViewerSeconds.ts"
import * as WhepRoutes from "../node/WhepRoutes.ts"

/** How long the answer to "does any node take publishers" is reused. */
const PLANE_CACHE_MILLIS = 1_000

/** `NodeControl`, on the catalog, the command path and the node commands. */
export const control = NodeControl.layer

/**
 * The core's `MediaPlane`: accepting while some node holds its lease and takes publishers (the views say
 * "provisioning" otherwise).
 */
export const plane = Layer.effect(
  MediaPlane,
  Effect.gen(function* () {
    const registry = yield* MediaNodeRegistry
    let known: { readonly at: number; readonly accepting: boolean } | null = null
    const accepting = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      if (known !== null && now - known.at < PLANE_CACHE_MILLIS) return known.accepting
      const nodes = yield* registry.nodes
      const value = nodes.some((node) => takesPublishersAt(node, now))
      known = { at: now, accepting: value }
      return value
    })
    return { accepting }
  })
)

/** The node API on the API's server (off, answering 404, without `ONAIR_MEDIA_NODE_SECRET`). */
export const nodeApi = NodeApi.layer

/** The embedded node's `MediaControl`: the control plane itself, in-process, for node `nodeId`. */
export const embedded = (nodeId: MediaNodeId) =>
  Layer.effect(
    MediaControl,
    Effect.map(Effect.service(NodeControl), (nodes) => nodes.forNode(nodeId))
  )

/** `/hls` on an API with no node beside it: each broadcast (HLS and WHEP) redirected to the node serving it. */
export const redirectingPlayback = Layer.unwrap(
  Effect.map(Effect.service(NodeControl), (nodes) =>
    Layer.merge(
      WhepRoutes.layer({ lookup: nodes.playbackOf, local: null, node: null }),
      Playback.layer({
        lookup: nodes.playbackOf,
        local: null,
        viewers: new ViewerSeconds(),
        // No node here: a low-latency broadcast is redirected to its node like any other.
        packagers: { streamOf: () => undefined, endedOf: () => undefined, renditionsOf: () => [] },
        thumbnails: new Thumbnails(),
        fragmentSeconds: 2
      })
    )
  )
)
