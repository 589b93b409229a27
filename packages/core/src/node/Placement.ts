/**
 * Placement: which media node a livestream's publisher is sent to (its `ingest_server`), and which nodes
 * may take it. A livestream pinned to a node or a region is taken there only; among the nodes that may take
 * it and take publishers now, the least loaded (fewest publishers for its capacity) is chosen, the node id
 * breaking ties so every replica chooses the same. A livestream whose publisher is connected stays on the
 * node that holds it.
 */
import type { MediaNodeId } from "../Ids.ts"
import type { Placement } from "../livestream/LivestreamValues.ts"

/** A node as placement weighs it. */
export interface NodeCandidate {
  readonly id: MediaNodeId
  readonly region: string | null
  readonly capacity: number
  /** Publishers it holds now. */
  readonly streams: number
  /** Holding its lease and not drained. */
  readonly accepting: boolean
}

/** Whether a livestream placed so may publish to node `nodeId` in `region`. */
export const admits = (placement: Placement, nodeId: string, region: string | null): boolean =>
  (placement.node === null || placement.node === nodeId) && (placement.region === null || placement.region === region)

/** The node a new publisher of a livestream placed so is sent to; null when none may take it now. */
export const chooseNode = <N extends NodeCandidate>(placement: Placement, nodes: ReadonlyArray<N>): N | null => {
  let best: N | null = null
  for (const node of nodes) {
    if (!node.accepting || node.streams >= node.capacity || !admits(placement, node.id, node.region)) continue
    if (best === null) {
      best = node
      continue
    }
    const load = node.streams / node.capacity
    const bestLoad = best.streams / best.capacity
    if (load < bestLoad || (load === bestLoad && node.id < best.id)) best = node
  }
  return best
}
