/**
 * The core's AggregateReader on the event store: each aggregate's state is its stream folded through its
 * decider. It remembers the version of every stream it read, which is what the command path appends
 * against: if any of them moved since, the append is refused and the command decided again.
 */
import {
  AggregateReader,
  AggregateReadFailed,
  type AggregateKind,
  type Change,
  Decider,
  type EventStore,
  IngestDecider,
  LivestreamDecider,
  MeetingDecider,
  SessionDecider,
  type Signal,
  type StreamKey,
  type StreamRead,
  type LivestreamId
} from "@onair/core"
import { Effect, Result } from "effect"
import { DomainEvents } from "@onair/event-store"

export interface ReadVersions {
  /** Stream name to the version it had when read. */
  readonly versions: ReadonlyMap<string, number>
}

const load = <S>(
  store: EventStore["Service"],
  versions: Map<string, number>,
  prefetched: ReadonlyMap<string, StreamRead>,
  kind: AggregateKind,
  id: string,
  fold: (changes: ReadonlyArray<Change>) => S
) => {
  const stream = DomainEvents.streamName(kind, id)
  return Effect.gen(function* () {
    const ready = prefetched.get(stream)
    const read =
      ready !== undefined
        ? ready
        : yield* store
            .readStream(stream)
            .pipe(Effect.mapError((error) => new AggregateReadFailed({ stream, message: error.message })))
    const changes: Array<Change> = []
    for (const stored of read.events) {
      const change = DomainEvents.toChange(stored)
      if (Result.isFailure(change)) return yield* new AggregateReadFailed({ stream, message: change.failure })
      changes.push(change.success)
    }
    versions.set(stream, read.version)
    return fold(changes)
  })
}

const eventsOf = <K extends AggregateKind>(kind: K, changes: ReadonlyArray<Change>) =>
  changes.flatMap((change) => (change.kind === kind ? [change.event as Extract<Change, { kind: K }>["event"]] : []))

/**
 * The streams a signal names by id (its livestream, session, ingest, meeting): the ones deciding it reads
 * first, so they can be read ahead in one round trip. A stream read ahead but not needed costs only the read.
 */
export const streamsNamedBy = (signal: Signal): ReadonlyArray<string> => {
  const fields = signal as { readonly [field: string]: unknown }
  const streams: Array<string> = []
  for (const [kind, field] of NAMING_FIELDS) {
    const id = fields[field]
    if (typeof id === "string") streams.push(DomainEvents.streamName(kind, id))
  }
  return streams
}

const NAMING_FIELDS: ReadonlyArray<readonly [AggregateKind, string]> = [
  ["livestream", "livestreamId"],
  ["session", "sessionId"],
  ["ingest", "ingestId"],
  ["meeting", "meetingId"]
]

/**
 * A reader for one attempt at one command. `livestreamIdByStreamKey` is answered by the given index; the
 * livestream it names is then read like any other, so a stale index is caught by the version check. A
 * stream in `prefetched` (read ahead for this attempt) is taken from there instead of read again.
 */
export const make = (
  store: EventStore["Service"],
  livestreamIdByStreamKey: (key: StreamKey) => Effect.Effect<LivestreamId | null, AggregateReadFailed>,
  prefetched: ReadonlyMap<string, StreamRead> = new Map()
): { readonly reader: AggregateReader["Service"] } & ReadVersions => {
  const versions = new Map<string, number>()
  return {
    versions,
    reader: AggregateReader.of({
      livestream: (id) =>
        load(store, versions, prefetched, "livestream", id, (c) =>
          Decider.fold(LivestreamDecider, eventsOf("livestream", c))
        ),
      session: (id) =>
        load(store, versions, prefetched, "session", id, (c) => Decider.fold(SessionDecider, eventsOf("session", c))),
      ingest: (id) =>
        load(store, versions, prefetched, "ingest", id, (c) => Decider.fold(IngestDecider, eventsOf("ingest", c))),
      meeting: (id) =>
        load(store, versions, prefetched, "meeting", id, (c) => Decider.fold(MeetingDecider, eventsOf("meeting", c))),
      livestreamIdByStreamKey
    })
  }
}
