/**
 * The aggregates one signal touches, with their states after the unit's decisions so far: each decision
 * sees the ones before it. Local to one `Workflow.handle` call. Every aggregate is decided the same way
 * (`decide`), told apart only by its entry in `AGGREGATES`.
 */
import { Effect, Result } from "effect"
import { type Decider, fold } from "../Decider.ts"
import type { CommandOutOfOrder } from "../DomainError.ts"
import type { IngestCommand } from "../ingest/IngestCommand.ts"
import { IngestDecider } from "../ingest/IngestDecider.ts"
import type { IngestError } from "../ingest/IngestError.ts"
import type { IngestEvent } from "../ingest/IngestEvent.ts"
import type { IngestState } from "../ingest/IngestState.ts"
import type { LivestreamCommand } from "../livestream/LivestreamCommand.ts"
import { LivestreamDecider } from "../livestream/LivestreamDecider.ts"
import type { LivestreamError } from "../livestream/LivestreamError.ts"
import type { LivestreamEvent } from "../livestream/LivestreamEvent.ts"
import type { Livestream, LivestreamState } from "../livestream/LivestreamState.ts"
import type { MeetingCommand } from "../meeting/MeetingCommand.ts"
import { MeetingDecider } from "../meeting/MeetingDecider.ts"
import type { MeetingError } from "../meeting/MeetingError.ts"
import type { MeetingEvent } from "../meeting/MeetingEvent.ts"
import type { MeetingState } from "../meeting/MeetingState.ts"
import { AggregateReader, type AggregateReadFailed } from "../ports/AggregateReader.ts"
import type { SessionCommand } from "../session/SessionCommand.ts"
import { SessionDecider } from "../session/SessionDecider.ts"
import type { SessionError } from "../session/SessionError.ts"
import type { SessionEvent } from "../session/SessionEvent.ts"
import type { SessionState } from "../session/SessionState.ts"
import type { Timestamp } from "../Time.ts"
import type { AggregateKind, Change } from "./Change.ts"
import { sessionCommandFor } from "./SessionPolicy.ts"

export type WorkflowError =
  | LivestreamError
  | SessionError
  | IngestError
  | MeetingError
  | CommandOutOfOrder
  | AggregateReadFailed

export type Step<A> = Effect.Effect<A, WorkflowError, AggregateReader>

/** How one kind of aggregate is decided: its decider, where its state is read, which id a command names. */
interface Aggregate<C, E, S, X extends WorkflowError> {
  readonly decider: Decider<C, E, S, X>
  readonly load: (reader: AggregateReader["Service"], command: C) => Effect.Effect<S, AggregateReadFailed>
  readonly id: (command: C) => string
}

const AGGREGATES: {
  readonly livestream: Aggregate<
    LivestreamCommand,
    LivestreamEvent,
    LivestreamState,
    LivestreamError | CommandOutOfOrder
  >
  readonly session: Aggregate<SessionCommand, SessionEvent, SessionState, SessionError | CommandOutOfOrder>
  readonly ingest: Aggregate<IngestCommand, IngestEvent, IngestState, IngestError | CommandOutOfOrder>
  readonly meeting: Aggregate<MeetingCommand, MeetingEvent, MeetingState, MeetingError | CommandOutOfOrder>
} = {
  livestream: {
    decider: LivestreamDecider,
    load: (reader, command) => reader.livestream(command.livestreamId),
    id: (command) => command.livestreamId
  },
  session: {
    decider: SessionDecider,
    load: (reader, command) => reader.session(command.sessionId),
    id: (command) => command.sessionId
  },
  ingest: {
    decider: IngestDecider,
    load: (reader, command) => reader.ingest(command.ingestId),
    id: (command) => command.ingestId
  },
  meeting: {
    decider: MeetingDecider,
    load: (reader, command) => reader.meeting(command.meetingId),
    id: (command) => command.meetingId
  }
}

type Of<K extends AggregateKind> =
  (typeof AGGREGATES)[K] extends Aggregate<infer C, infer E, infer S, infer _X>
    ? { readonly command: C; readonly event: E; readonly state: S }
    : never

export class UnitOfWork {
  /** Every event in the order it was decided. */
  readonly changes: Array<Change> = []
  private readonly states = new Map<string, unknown>()

  /** Decides `command` on its aggregate's state in this unit (read once, then kept), and records the events. */
  decide<K extends AggregateKind>(
    kind: K,
    command: Of<K>["command"]
  ): Step<{ readonly events: ReadonlyArray<Of<K>["event"]>; readonly state: Of<K>["state"] }> {
    const aggregate = AGGREGATES[kind] as unknown as Aggregate<
      Of<K>["command"],
      Of<K>["event"],
      Of<K>["state"],
      WorkflowError
    >
    const id = aggregate.id(command)
    const key = `${kind}-${id}`
    return Effect.gen({ self: this }, function* () {
      const reader = yield* AggregateReader
      const state = this.states.has(key)
        ? (this.states.get(key) as Of<K>["state"])
        : yield* aggregate.load(reader, command)
      const events = yield* Result.match(aggregate.decider.decide(command, state), {
        onFailure: (error) => Effect.fail(error),
        onSuccess: (events) => Effect.succeed(events)
      })
      const next = fold(aggregate.decider, events, state)
      this.states.set(key, next)
      for (const event of events) this.changes.push({ kind, id, event } as Change)
      return { events, state: next }
    })
  }

  /** A livestream's state in this unit, without deciding anything on it. */
  readLivestream(id: Livestream["id"]): Step<LivestreamState> {
    const key = `livestream-${id}`
    return this.states.has(key)
      ? Effect.succeed(this.states.get(key) as LivestreamState)
      : Effect.flatMap(Effect.service(AggregateReader), (reader) => reader.livestream(id))
  }

  /** Runs a livestream command, then keeps its session in step with every broadcast event it produced. */
  broadcast(command: LivestreamCommand, at: Timestamp): Step<ReadonlyArray<LivestreamEvent>> {
    return Effect.gen({ self: this }, function* () {
      const { events, state } = yield* this.decide("livestream", command)
      for (const event of events) {
        const follow = state === null ? null : sessionCommandFor(state, event, at)
        if (follow !== null) yield* this.decide("session", follow)
      }
      return events
    })
  }
}
