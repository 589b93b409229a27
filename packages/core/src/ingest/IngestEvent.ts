/**
 * Events of an ingest's stream. The stream key never appears here: a connection is named by its id and
 * tied to a livestream by id.
 */
import { Effect, Schema } from "effect"
import { IngestId, LivestreamId, MediaNodeId, SessionId } from "../Ids.ts"
import { PublishRefusal } from "../livestream/LivestreamValues.ts"
import { LOCAL_MEDIA_NODE } from "../node/MediaNodeValues.ts"
import { Timestamp } from "../Time.ts"
import { IngestHealth, IngestProtocol, PublisherAddress, RenditionsRefusal } from "./IngestValues.ts"

const subject = { ingestId: IngestId, at: Timestamp }
/** The media node the connection is on (`local` in events from before there were media nodes). */
const node = { nodeId: MediaNodeId.pipe(Schema.withDecodingDefaultKey(Effect.succeed(LOCAL_MEDIA_NODE))) }
/** How the encoder came in (absent in events from before WHIP and SRT: RTMP). */
const protocol = { protocol: Schema.optionalKey(IngestProtocol) }

export const IngestEvent = Schema.TaggedUnion({
  IngestAccepted: {
    ...subject,
    ...node,
    ...protocol,
    publisher: PublisherAddress,
    livestreamId: LivestreamId,
    sessionId: SessionId
  },
  IngestRefused: {
    ...subject,
    ...node,
    ...protocol,
    publisher: PublisherAddress,
    livestreamId: Schema.NullOr(LivestreamId),
    reason: PublishRefusal
  },
  IngestHealthSampled: { ...subject, health: IngestHealth },
  ManifestAvailable: { ...subject },
  /** The node passes the source through instead of the livestream's ladder, and why. */
  RenditionsRefused: { ...subject, reason: RenditionsRefusal, renditions: Schema.Array(Schema.String) },
  IngestDisconnected: { ...subject }
})
export type IngestEvent = typeof IngestEvent.Type
