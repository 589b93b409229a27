/**
 * An ingest's state, folded from its events. `null` until its publish request is decided.
 */
import { Effect, Schema } from "effect"
import { IngestId, LivestreamId, MediaNodeId, SessionId } from "../Ids.ts"
import { PublishRefusal } from "../livestream/LivestreamValues.ts"
import { LOCAL_MEDIA_NODE } from "../node/MediaNodeValues.ts"
import { Timestamp } from "../Time.ts"
import { IngestHealth, IngestProtocol, PublisherAddress, RenditionsRefusal } from "./IngestValues.ts"

export const IngestVerdict = Schema.TaggedUnion({
  Accepted: { livestreamId: LivestreamId, sessionId: SessionId },
  Refused: { livestreamId: Schema.NullOr(LivestreamId), reason: PublishRefusal }
})
export type IngestVerdict = typeof IngestVerdict.Type

/** Running sums of the samples, for the averages the live-event status reports. */
export const HealthTotals = Schema.Struct({
  samples: Schema.Int,
  videoBitrate: Schema.Finite,
  audioBitrate: Schema.Finite,
  videoFps: Schema.Finite
})
export type HealthTotals = typeof HealthTotals.Type

export const Ingest = Schema.Struct({
  id: IngestId,
  /** The media node holding the connection (`local` in states stored before there were media nodes). */
  nodeId: MediaNodeId.pipe(Schema.withDecodingDefaultKey(Effect.succeed(LOCAL_MEDIA_NODE))),
  /** Absent in states stored before WHIP and SRT: RTMP (`protocolOf`). */
  protocol: Schema.optionalKey(IngestProtocol),
  publisher: PublisherAddress,
  verdict: IngestVerdict,
  requestedAt: Timestamp,
  disconnectedAt: Schema.NullOr(Timestamp),
  health: Schema.NullOr(IngestHealth),
  lastSampleAt: Schema.NullOr(Timestamp),
  totals: HealthTotals,
  manifestAvailableAt: Schema.NullOr(Timestamp),
  /** Why its node passes the source through instead of the ladder; absent while it does not. */
  renditionsRefused: Schema.optionalKey(RenditionsRefusal),
  updatedAt: Timestamp
})
export type Ingest = typeof Ingest.Type

export const IngestState = Schema.NullOr(Ingest)
export type IngestState = typeof IngestState.Type

/** Accepted and not yet gone: media may be flowing. */
export const isConnected = (ingest: Ingest): boolean =>
  ingest.verdict._tag === "Accepted" && ingest.disconnectedAt === null
