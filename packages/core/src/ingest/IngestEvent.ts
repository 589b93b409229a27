/**
 * Events of an ingest's stream. The stream key never appears here: a connection is named by its id and
 * tied to a livestream by id.
 */
import { Schema } from "effect"
import { IngestId, LivestreamId, SessionId } from "../Ids.ts"
import { PublishRefusal } from "../livestream/LivestreamValues.ts"
import { Timestamp } from "../Time.ts"
import { IngestHealth, PublisherAddress } from "./IngestValues.ts"

const subject = { ingestId: IngestId, at: Timestamp }

export const IngestEvent = Schema.TaggedUnion({
  IngestAccepted: { ...subject, publisher: PublisherAddress, livestreamId: LivestreamId, sessionId: SessionId },
  IngestRefused: {
    ...subject,
    publisher: PublisherAddress,
    livestreamId: Schema.NullOr(LivestreamId),
    reason: PublishRefusal
  },
  IngestHealthSampled: { ...subject, health: IngestHealth },
  ManifestAvailable: { ...subject },
  IngestDisconnected: { ...subject }
})
export type IngestEvent = typeof IngestEvent.Type
