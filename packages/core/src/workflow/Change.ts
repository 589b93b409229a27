/**
 * One event on one aggregate's stream: what a unit of work appends.
 */
import type { IngestEvent } from "../ingest/IngestEvent.ts"
import type { LivestreamEvent } from "../livestream/LivestreamEvent.ts"
import type { MeetingEvent } from "../meeting/MeetingEvent.ts"
import type { SessionEvent } from "../session/SessionEvent.ts"

export type AggregateKind = "livestream" | "session" | "ingest" | "meeting"

export type Change =
  | { readonly kind: "livestream"; readonly id: string; readonly event: LivestreamEvent }
  | { readonly kind: "session"; readonly id: string; readonly event: SessionEvent }
  | { readonly kind: "ingest"; readonly id: string; readonly event: IngestEvent }
  | { readonly kind: "meeting"; readonly id: string; readonly event: MeetingEvent }

/** The stream an aggregate's events are stored in: `livestream-<id>`, `session-<id>`, … */
export const streamName = (kind: AggregateKind, id: string): string => `${kind}-${id}`
