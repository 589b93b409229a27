/**
 * The port through which a workflow reads the current state of the aggregates it touches. The event
 * store adapter folds streams; the simulation reads its in-memory world.
 */
import { Context, type Effect, Schema } from "effect"
import type { IngestId, LivestreamId, MeetingId, SessionId, StreamKey } from "../Ids.ts"
import type { IngestState } from "../ingest/IngestState.ts"
import type { LivestreamState } from "../livestream/LivestreamState.ts"
import type { MeetingState } from "../meeting/MeetingState.ts"
import type { SessionState } from "../session/SessionState.ts"

export class AggregateReadFailed extends Schema.TaggedError<AggregateReadFailed>()("AggregateReadFailed", {
  stream: Schema.String,
  message: Schema.String
}) {}

export class AggregateReader extends Context.Service<
  AggregateReader,
  {
    readonly livestream: (id: LivestreamId) => Effect.Effect<LivestreamState, AggregateReadFailed>
    /** The livestream whose current key this is, if any. */
    readonly livestreamIdByStreamKey: (key: StreamKey) => Effect.Effect<LivestreamId | null, AggregateReadFailed>
    readonly session: (id: SessionId) => Effect.Effect<SessionState, AggregateReadFailed>
    readonly ingest: (id: IngestId) => Effect.Effect<IngestState, AggregateReadFailed>
    readonly meeting: (id: MeetingId) => Effect.Effect<MeetingState, AggregateReadFailed>
  }
>()("@onair/core/AggregateReader") {}
