/**
 * Events of a media node's stream (`mediaNode-<id>`).
 */
import { Schema } from "effect"
import { MediaNodeId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { MediaNodeAddresses, MediaNodeBootId, MediaNodeCapacity, MediaNodeRegion } from "./MediaNodeValues.ts"

const subject = { nodeId: MediaNodeId, at: Timestamp }

export const MediaNodeEvent = Schema.TaggedUnion({
  /**
   * A boot of the node registered. `replacedBootId` is the boot before it that was not declared lost: the
   * node restarted, and the publishers of that boot are gone with it.
   */
  MediaNodeRegistered: {
    ...subject,
    bootId: MediaNodeBootId,
    replacedBootId: Schema.NullOr(MediaNodeBootId),
    addresses: MediaNodeAddresses,
    capacity: MediaNodeCapacity,
    region: Schema.NullOr(MediaNodeRegion)
  },
  /** The node takes no new publishers; the ones it has go on. */
  MediaNodeDrained: { ...subject },
  MediaNodeResumed: { ...subject },
  /** The node's boot missed its lease: its publishers are taken as gone. */
  MediaNodeLost: { ...subject, bootId: MediaNodeBootId }
})
export type MediaNodeEvent = typeof MediaNodeEvent.Type

/** The category of media node streams: a node's events are in `mediaNode-<id>`. */
export const MEDIA_NODE_CATEGORY = "mediaNode"

export const mediaNodeStream = (id: string): string => `${MEDIA_NODE_CATEGORY}-${id}`
