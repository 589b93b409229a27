/**
 * One error per rule a media node command can break.
 */
import { Schema } from "effect"
import { MediaNodeId } from "../Ids.ts"

export class MediaNodeNotFound extends Schema.TaggedError<MediaNodeNotFound>()("MediaNodeNotFound", {
  nodeId: MediaNodeId
}) {}

/** Only the boot that holds the node now can be declared lost: a newer boot registered meanwhile. */
export class MediaNodeBootReplaced extends Schema.TaggedError<MediaNodeBootReplaced>()("MediaNodeBootReplaced", {
  nodeId: MediaNodeId,
  bootId: Schema.String
}) {}

export class MediaNodeAlreadyLost extends Schema.TaggedError<MediaNodeAlreadyLost>()("MediaNodeAlreadyLost", {
  nodeId: MediaNodeId
}) {}

export type MediaNodeError = MediaNodeNotFound | MediaNodeBootReplaced | MediaNodeAlreadyLost
