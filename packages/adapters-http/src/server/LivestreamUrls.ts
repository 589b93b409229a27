/**
 * Where a livestream's encoder and players go (`ingest_server`, `playback_url`), by placement: a broadcast
 * that is on a media node keeps that node's addresses; otherwise the livestream is placed on the least
 * loaded node that may take it (`chooseNode`), and a livestream no node may take now names its pinned node,
 * else the deployment's public addresses. The playback URL is the deployment's public playback base when
 * one is configured (a CDN or load balancer in front of the nodes), else the node serving the broadcast.
 *
 * The nodes are read into a snapshot every `REFRESH` (a deployment has a handful, not thousands), so a
 * record is built without a read; placement is as fresh as the last heartbeats.
 */
import { PublicUrlsConfig } from "@onair/application"
import { type MediaNodeEntry, MediaNodeRegistry, takesPublishersAt } from "@onair/coordination"
import {
  chooseNode,
  type Livestream,
  type MediaNodeId,
  nodeOfIngest,
  type Placement,
  type PublicUrls
} from "@onair/core"
import { Clock, Context, Duration, Effect, Layer } from "effect"

const REFRESH = Duration.seconds(2)

interface Candidate {
  readonly id: MediaNodeId
  readonly region: string | null
  readonly capacity: number
  readonly streams: number
  readonly accepting: boolean
  readonly entry: MediaNodeEntry
}

export class LivestreamUrls extends Context.Service<
  LivestreamUrls,
  {
    readonly of: (livestream: Livestream) => PublicUrls
    /**
     * The node a meeting's composer of `cores` goes to: the least loaded that may take publishers and, by its
     * last heartbeat, has that much room for composers (a node that has not said is given the benefit of
     * the doubt, and refuses itself if it must); what stands in the way when there is none.
     */
    readonly composerNodeFor: (
      placement: Placement,
      cores: number
    ) => Effect.Effect<{ readonly node: MediaNodeId } | { readonly refused: "no media node" | "no room" }>
  }
>()("@onair/adapters-http/LivestreamUrls") {
  static readonly layer = Layer.effect(
    LivestreamUrls,
    Effect.gen(function* () {
      const configured = yield* PublicUrlsConfig
      const registry = yield* MediaNodeRegistry
      let nodes: ReadonlyArray<Candidate> = []
      let byId = new Map<string, Candidate>()
      const load = Effect.gen(function* () {
        const at = yield* Clock.currentTimeMillis
        nodes = (yield* registry.nodes).map((entry) => ({
          id: entry.node.id,
          region: entry.node.region,
          capacity: entry.node.capacity,
          streams: entry.connected,
          accepting: takesPublishersAt(entry, at),
          entry
        }))
        byId = new Map(nodes.map((node) => [node.id, node]))
      })
      yield* load
      yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(REFRESH), load)))

      const addresses = (node: Candidate | undefined, open: boolean): PublicUrls => {
        if (node === undefined) return configured
        const { rtmp, rtmps, playback } = node.entry.node.addresses
        return {
          rtmpServer: rtmp,
          rtmpsServer: rtmps ?? configured.rtmpsServer,
          playbackBase: open && !configured.playbackConfigured ? playback : configured.playbackBase
        }
      }

      const of = (livestream: Livestream): PublicUrls => {
        if (nodes.length === 0) return configured
        const broadcast = livestream.broadcast
        if (broadcast._tag === "Connected" || broadcast._tag === "Reconnecting") {
          const holder = byId.get(nodeOfIngest(broadcast.ingestId))
          if (holder !== undefined) return addresses(holder, true)
        }
        const chosen =
          chooseNode(livestream.placement, nodes) ??
          (livestream.placement.node === null ? undefined : byId.get(livestream.placement.node))
        return addresses(chosen ?? undefined, false)
      }
      const composerNodeFor = (placement: Placement, cores: number) =>
        Effect.map(load, () => {
          const roomy = nodes.filter((node) => (node.entry.load?.composerRoom ?? cores) >= cores)
          const chosen = chooseNode(placement, roomy)
          if (chosen !== null) return { node: chosen.id }
          return { refused: chooseNode(placement, nodes) === null ? ("no media node" as const) : ("no room" as const) }
        })
      return LivestreamUrls.of({ of, composerNodeFor })
    })
  )
}
