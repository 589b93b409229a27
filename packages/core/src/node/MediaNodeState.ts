/**
 * A media node's state, folded from its events. `null` until it first registers.
 */
import { Schema } from "effect"
import { MediaNodeId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { MediaNodeAddresses, MediaNodeBootId, MediaNodeCapacity, MediaNodeRegion } from "./MediaNodeValues.ts"

export const MediaNode = Schema.Struct({
  id: MediaNodeId,
  bootId: MediaNodeBootId,
  addresses: MediaNodeAddresses,
  capacity: MediaNodeCapacity,
  region: Schema.NullOr(MediaNodeRegion),
  /** Drained by the operator: no new publishers (kept across the node's restarts until resumed). */
  draining: Schema.Boolean,
  /** When its current boot was declared lost; null while it holds its lease. */
  lostAt: Schema.NullOr(Timestamp),
  registeredAt: Timestamp,
  updatedAt: Timestamp
})
export type MediaNode = typeof MediaNode.Type

export const MediaNodeState = Schema.NullOr(MediaNode)
export type MediaNodeState = typeof MediaNodeState.Type

/** What the admin list says a node is. */
export type MediaNodeStatus = "active" | "draining" | "lost"

export const mediaNodeStatus = (node: MediaNode): MediaNodeStatus =>
  node.lostAt !== null ? "lost" : node.draining ? "draining" : "active"

/** Whether placement may send new publishers its way. */
export const takesPublishers = (node: MediaNode): boolean => mediaNodeStatus(node) === "active"
