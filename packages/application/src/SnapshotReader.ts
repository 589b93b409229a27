/**
 * The core's AggregateReader on a read model that already holds every aggregate's folded state and its
 * stream's version (the process's catalog): no read from the database. The command path decides its first
 * attempt from it and appends against the versions it holds. A model that lags the log costs nothing in
 * correctness: the append is refused (`WrongExpectedVersion`) and the retry reads the streams themselves.
 *
 * A key the model does not know is asked of the authoritative index, so a livestream created a moment
 * ago elsewhere is not refused as unknown.
 */
import {
  AggregateReader,
  type AggregateKind,
  type AggregateReadFailed,
  type IngestState,
  type LivestreamId,
  type LivestreamState,
  type MeetingState,
  type SessionState,
  type StreamKey
} from "@onair/core"
import { Effect } from "effect"
import { DomainEvents } from "@onair/event-store"
import type { ReadVersions } from "./EventSourcedReader.ts"

/** What a read model answers for one aggregate: its state and its stream's version (0: no stream). */
export interface Snapshot<S> {
  readonly state: S
  readonly version: number
}

export interface AggregateSnapshots {
  readonly livestream: (id: string) => Snapshot<LivestreamState>
  readonly session: (id: string) => Snapshot<SessionState>
  readonly ingest: (id: string) => Snapshot<IngestState>
  readonly meeting: (id: string) => Snapshot<MeetingState>
  /** The livestream whose current key this is, if the model knows one. */
  readonly livestreamIdByStreamKey: (key: StreamKey) => LivestreamId | null
}

export const make = (
  snapshots: AggregateSnapshots,
  livestreamIdByStreamKey: (key: StreamKey) => Effect.Effect<LivestreamId | null, AggregateReadFailed>
): { readonly reader: AggregateReader["Service"] } & ReadVersions => {
  const versions = new Map<string, number>()
  const read = <S>(kind: AggregateKind, id: string, snapshot: (id: string) => Snapshot<S>) =>
    Effect.sync(() => {
      const { state, version } = snapshot(id)
      versions.set(DomainEvents.streamName(kind, id), version)
      return state
    })
  return {
    versions,
    reader: AggregateReader.of({
      livestream: (id) => read("livestream", id, snapshots.livestream),
      session: (id) => read("session", id, snapshots.session),
      ingest: (id) => read("ingest", id, snapshots.ingest),
      meeting: (id) => read("meeting", id, snapshots.meeting),
      livestreamIdByStreamKey: (key) => {
        const known = snapshots.livestreamIdByStreamKey(key)
        return known === null ? livestreamIdByStreamKey(key) : Effect.succeed(known)
      }
    })
  }
}
