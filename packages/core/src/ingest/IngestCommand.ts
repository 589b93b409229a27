/**
 * Commands to an ingest: one encoder connection, from its publish request to its disconnect.
 */
import { Schema } from "effect"
import { IngestId, LivestreamId, MediaNodeId, SessionId } from "../Ids.ts"
import { PublishRefusal } from "../livestream/LivestreamValues.ts"
import { Timestamp } from "../Time.ts"
import { IngestHealth, IngestProtocol, PublisherAddress, RenditionsRefusal } from "./IngestValues.ts"

const target = { ingestId: IngestId, at: Timestamp }
/** The media node the connection is on. */
const node = { nodeId: MediaNodeId }
const protocol = { protocol: Schema.optionalKey(IngestProtocol) }

export const IngestCommand = Schema.TaggedUnion({
  AcceptPublish: {
    ...target,
    ...node,
    ...protocol,
    publisher: PublisherAddress,
    livestreamId: LivestreamId,
    sessionId: SessionId
  },
  /** `livestreamId` is null when the key matched no livestream. */
  RefusePublish: {
    ...target,
    ...node,
    ...protocol,
    publisher: PublisherAddress,
    livestreamId: Schema.NullOr(LivestreamId),
    reason: PublishRefusal
  },
  SampleHealth: { ...target, health: IngestHealth },
  /** The first HLS playlist of this connection exists: the stream is playable. */
  MarkManifestAvailable: { ...target },
  /** The node cannot transcode the ladder (`renditions`, the ones it left out) and passes the source through. */
  RefuseRenditions: { ...target, reason: RenditionsRefusal, renditions: Schema.Array(Schema.String) },
  DisconnectIngest: { ...target }
})
export type IngestCommand = typeof IngestCommand.Type
