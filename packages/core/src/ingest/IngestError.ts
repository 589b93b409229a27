/**
 * One error per rule an ingest command can break.
 */
import { Schema } from "effect"
import { IngestId } from "../Ids.ts"

/** A connection's publish request is decided once. */
export class IngestAlreadyDecided extends Schema.TaggedError<IngestAlreadyDecided>()("IngestAlreadyDecided", {
  ingestId: IngestId
}) {}

export class IngestNotFound extends Schema.TaggedError<IngestNotFound>()("IngestNotFound", {
  ingestId: IngestId
}) {}

/** Health and manifests belong to accepted, connected publishers only. */
export class IngestNotConnected extends Schema.TaggedError<IngestNotConnected>()("IngestNotConnected", {
  ingestId: IngestId
}) {}

export class IngestAlreadyDisconnected extends Schema.TaggedError<IngestAlreadyDisconnected>()(
  "IngestAlreadyDisconnected",
  { ingestId: IngestId }
) {}

export type IngestError = IngestAlreadyDecided | IngestNotFound | IngestNotConnected | IngestAlreadyDisconnected
