/**
 * A media node's registration and lease, on the control plane. A boot registers while no other running
 * boot holds the node's lease (unless it follows that boot on the same node: a crash and restart), and
 * its registration ends every connection the node's earlier boots left; heartbeats renew the lease, and a
 * clean stop gives it up.
 */
import { awaitReadModel, currentTimestamp, MediaNodeCommands } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import { type MediaNodeId, originMetadata, takesPublishers } from "@onair/core"
import { Effect } from "effect"
import {
  type Lease,
  type MediaControl,
  MediaControlRefused,
  MediaControlUnavailable
} from "../protocol/MediaControl.ts"

/** How long a node's lease lasts after its last heartbeat, and how often it heartbeats. */
export interface LeaseSettings {
  readonly leaseSeconds: number
  readonly heartbeatSeconds: number
}

type Leases = Pick<MediaControl["Service"], "register" | "heartbeat" | "leave">

/**
 * `leaseMillis`: how long a lease is given for; `endEarlierBoots`: ends what the node's boots other than
 * `bootId` left connected.
 */
export const make = (
  settings: LeaseSettings,
  leaseMillis: number,
  endEarlierBoots: (nodeId: MediaNodeId, bootId: string) => Effect.Effect<number>
) =>
  Effect.gen(function* () {
    const nodes = yield* MediaNodeCommands
    const catalog = yield* CatalogReads
    const registry = yield* MediaNodeRegistry

    /** The registration, heartbeats and leave of node `nodeId`. */
    const forNode = (nodeId: MediaNodeId): Leases => {
      const unavailable = (error: { readonly _tag: string }) =>
        new MediaControlUnavailable({ message: `media node ${nodeId}: ${error._tag}` })

      const register = Effect.fn("NodeControl.register")(function* (
        registration: Parameters<MediaControl["Service"]["register"]>[0]
      ) {
        const at = yield* currentTimestamp
        const lease = yield* registry.leaseOf(nodeId)
        const held =
          lease !== undefined &&
          lease.bootId !== registration.bootId &&
          lease.bootId !== registration.follows &&
          !lease.lost &&
          lease.expiresAt >= at
        if (held) {
          return yield* new MediaControlRefused({
            message:
              `media node ${nodeId} is held by another running boot until its lease runs out ` +
              `(${Math.ceil((lease!.expiresAt - at) / 1000)} s); is another node started with the same id?`
          })
        }
        const { follows: _, ...registered } = registration
        yield* nodes
          .handle(
            { _tag: "RegisterMediaNode", nodeId, at, ...registered },
            originMetadata(`media-node:${nodeId}:${registration.bootId}:register:${at}`, `media-node:${nodeId}`, at)
          )
          .pipe(awaitReadModel(catalog), Effect.mapError(unavailable))
        // Whatever an earlier boot left connected is gone with it.
        yield* endEarlierBoots(nodeId, registration.bootId)
        yield* registry.lease(nodeId, registration.bootId, at, leaseMillis)
        return { leaseSeconds: settings.leaseSeconds, heartbeatSeconds: settings.heartbeatSeconds } satisfies Lease
      })

      const heartbeat = Effect.fn("NodeControl.heartbeat")(function* (
        heartbeat: Parameters<MediaControl["Service"]["heartbeat"]>[0]
      ) {
        const at = yield* currentTimestamp
        const leased = yield* registry.renew(nodeId, heartbeat.bootId, at, leaseMillis, heartbeat.load)
        const node = leased ? yield* registry.node(nodeId) : undefined
        return { leased, accepting: node !== undefined && takesPublishers(node) }
      })

      const leave = (bootId: string) => registry.release(nodeId, bootId)

      return { register, heartbeat, leave }
    }

    return { forNode }
  })
