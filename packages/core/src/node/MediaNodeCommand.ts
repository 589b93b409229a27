/**
 * Commands to a media node: its agent registers it (at every start), the operator drains and resumes it,
 * and the control plane declares it lost when it misses its lease.
 */
import { Schema } from "effect"
import { MediaNodeId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { MediaNodeAddresses, MediaNodeBootId, MediaNodeCapacity, MediaNodeRegion } from "./MediaNodeValues.ts"

const target = { nodeId: MediaNodeId, at: Timestamp }

export const MediaNodeCommand = Schema.TaggedUnion({
  RegisterMediaNode: {
    ...target,
    bootId: MediaNodeBootId,
    addresses: MediaNodeAddresses,
    capacity: MediaNodeCapacity,
    region: Schema.NullOr(MediaNodeRegion)
  },
  DrainMediaNode: { ...target },
  ResumeMediaNode: { ...target },
  /** The node's boot `bootId` missed its lease. */
  DeclareMediaNodeLost: { ...target, bootId: MediaNodeBootId }
})
export type MediaNodeCommand = typeof MediaNodeCommand.Type
