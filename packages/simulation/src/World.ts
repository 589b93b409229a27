/**
 * An in-memory OnAir: the state of every aggregate, each stream's events, and the clock. A signal is
 * decided by the core's workflow against this world; its unit of work is folded in whole, or, if the
 * workflow rejects it, not at all.
 */
import {
  AggregateReader,
  type Change,
  Decider,
  IngestDecider,
  type IngestState,
  LivestreamDecider,
  type LivestreamId,
  type LivestreamState,
  MeetingDecider,
  type MeetingState,
  SessionDecider,
  type SessionState,
  type Signal,
  type StreamKey,
  streamName,
  type Timestamp,
  Workflow,
  type WorkflowError
} from "@onair/core"
import { Effect, Result } from "effect"

export interface World {
  readonly clock: Timestamp
  readonly livestreams: ReadonlyMap<string, LivestreamState>
  readonly sessions: ReadonlyMap<string, SessionState>
  readonly ingests: ReadonlyMap<string, IngestState>
  readonly meetings: ReadonlyMap<string, MeetingState>
  /** Each stream's events in order, by stream name. */
  readonly streams: ReadonlyMap<string, ReadonlyArray<Change>>
  /** Every event of every stream, in commit order: the global log. */
  readonly log: ReadonlyArray<Change>
}

export const empty = (clock: Timestamp): World => ({
  clock,
  livestreams: new Map(),
  sessions: new Map(),
  ingests: new Map(),
  meetings: new Map(),
  streams: new Map(),
  log: []
})

/** The livestream whose current key this is; a rotated-away key finds nothing. */
const livestreamIdByStreamKey = (world: World, key: StreamKey): LivestreamId | null => {
  for (const livestream of world.livestreams.values()) {
    if (
      livestream !== null &&
      !livestream.deleted &&
      (livestream.streamKey === key || livestream.previousKey?.streamKey === key)
    )
      return livestream.id
  }
  return null
}

export const reader = (world: World): AggregateReader["Service"] => ({
  livestream: (id) => Effect.succeed(world.livestreams.get(id) ?? null),
  livestreamIdByStreamKey: (key) => Effect.succeed(livestreamIdByStreamKey(world, key)),
  session: (id) => Effect.succeed(world.sessions.get(id) ?? null),
  ingest: (id) => Effect.succeed(world.ingests.get(id) ?? null),
  meeting: (id) => Effect.succeed(world.meetings.get(id) ?? null)
})

const foldInto = <S, E>(
  states: ReadonlyMap<string, S>,
  id: string,
  evolve: (state: S, event: E) => S,
  initial: S,
  event: E
): Map<string, S> => {
  const next = new Map(states)
  next.set(id, evolve(states.get(id) ?? initial, event))
  return next
}

/** Appends a unit of work: each change is folded into its aggregate and logged on its stream. */
export const commit = (world: World, changes: ReadonlyArray<Change>): World => {
  let next: World = world
  for (const change of changes) {
    const name = streamName(change.kind, change.id)
    const streams = new Map(next.streams)
    streams.set(name, [...(next.streams.get(name) ?? []), change])
    next = { ...next, streams, log: [...next.log, change] }
    switch (change.kind) {
      case "livestream":
        next = {
          ...next,
          livestreams: foldInto(next.livestreams, change.id, LivestreamDecider.evolve, null, change.event)
        }
        break
      case "session":
        next = { ...next, sessions: foldInto(next.sessions, change.id, SessionDecider.evolve, null, change.event) }
        break
      case "ingest":
        next = { ...next, ingests: foldInto(next.ingests, change.id, IngestDecider.evolve, null, change.event) }
        break
      case "meeting":
        next = { ...next, meetings: foldInto(next.meetings, change.id, MeetingDecider.evolve, null, change.event) }
        break
    }
  }
  return next
}

export interface Applied {
  readonly world: World
  readonly changes: ReadonlyArray<Change>
}

/** Decides a signal against the world and commits its unit of work, or returns the rule it broke. */
export const apply = (world: World, signal: Signal): Result.Result<Applied, WorkflowError> => {
  const decided = Effect.runSync(
    Effect.result(Effect.provideService(Workflow.handle(signal), AggregateReader, reader(world)))
  )
  return Result.map(decided, ({ changes }) => ({ world: commit(world, changes), changes }))
}

export const advance = (world: World, seconds: number): World => ({
  ...world,
  clock: (world.clock + seconds * 1000) as Timestamp
})

/** Rebuilds one stream's state from its events alone, from the initial state. */
export const rebuild = (changes: ReadonlyArray<Change>): unknown => {
  const first = changes[0]
  if (first === undefined) return null
  switch (first.kind) {
    case "livestream":
      return Decider.fold(
        LivestreamDecider,
        changes.map((c) => c.event as Parameters<typeof LivestreamDecider.evolve>[1])
      )
    case "session":
      return Decider.fold(
        SessionDecider,
        changes.map((c) => c.event as Parameters<typeof SessionDecider.evolve>[1])
      )
    case "ingest":
      return Decider.fold(
        IngestDecider,
        changes.map((c) => c.event as Parameters<typeof IngestDecider.evolve>[1])
      )
    case "meeting":
      return Decider.fold(
        MeetingDecider,
        changes.map((c) => c.event as Parameters<typeof MeetingDecider.evolve>[1])
      )
  }
}

/** The current state of the aggregate a stream belongs to. */
export const stateOf = (world: World, change: Change): unknown => {
  switch (change.kind) {
    case "livestream":
      return world.livestreams.get(change.id) ?? null
    case "session":
      return world.sessions.get(change.id) ?? null
    case "ingest":
      return world.ingests.get(change.id) ?? null
    case "meeting":
      return world.meetings.get(change.id) ?? null
  }
}
