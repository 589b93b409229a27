/**
 * The command path: load the streams a signal touches, fold them, decide, append, all through the core's
 * workflow. The unit of work is appended against the version of every stream that was read; when another
 * writer got there first the command is decided again on the new state, a bounded number of times.
 *
 * A command id already appended returns its first result without deciding again, so a client's retry of a
 * create after a lost response gets the original answer, not "already exists".
 */
import {
  AggregateReader,
  type AppendMetadata,
  type AppendResult,
  type Change,
  EventStore,
  type EventStoreFailed,
  type Signal,
  type StreamAppend,
  type StreamRead,
  Workflow,
  type WorkflowError
} from "@onair/core"
import { Context, Effect, Layer } from "effect"
import { DomainEvents } from "@onair/event-store"
import * as EventSourcedReader from "./EventSourcedReader.ts"
import { type CommandConflict, type RetryOptions, retryOnConflict } from "./RetryOnConflict.ts"
import { StreamKeys } from "./StreamKeys.ts"

export type CommandError = WorkflowError | CommandConflict | EventStoreFailed

export interface Handled {
  /** What this command appended; empty when it was a repeat or decided that nothing changes. */
  readonly changes: ReadonlyArray<Change>
  /** The append's result; `duplicate` for a repeat. Undefined when nothing was appended. */
  readonly append: AppendResult | undefined
}

export type CommandHandlerOptions = RetryOptions

/** A unit of work as appends: each stream's events in decided order, against the version read. */
export const toAppends = (
  changes: ReadonlyArray<Change>,
  versions: ReadonlyMap<string, number>
): ReadonlyArray<StreamAppend> => {
  const byStream = new Map<string, Array<Change>>()
  for (const change of changes) {
    const stream = DomainEvents.streamName(change.kind, change.id)
    const list = byStream.get(stream)
    if (list === undefined) byStream.set(stream, [change])
    else list.push(change)
  }
  return [...byStream].map(([stream, streamChanges]) => ({
    stream,
    // Every stream the workflow writes it read first; "any" would only be reached by a workflow bug.
    expectedVersion: versions.get(stream) ?? "any",
    events: streamChanges.map(DomainEvents.toNewEvent)
  }))
}

export class CommandHandler extends Context.Service<
  CommandHandler,
  {
    readonly handle: (signal: Signal, metadata: AppendMetadata) => Effect.Effect<Handled, CommandError>
  }
>()("@onair/event-store/CommandHandler") {
  static readonly make = (options?: CommandHandlerOptions) =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const keyIndex = yield* StreamKeys
      const retry = retryOnConflict(options)

      /**
       * Folds the streams the signal touches (those read ahead, then the rest as the decision asks),
       * decides, and appends against the versions read.
       */
      const decideAndAppend = (signal: Signal, metadata: AppendMetadata, readAhead: ReadonlyMap<string, StreamRead>) =>
        Effect.gen(function* () {
          const { reader, versions } = EventSourcedReader.make(store, keyIndex.lookup, readAhead)
          const unit = yield* Workflow.handle(signal).pipe(
            Effect.provideService(AggregateReader, reader),
            // The decision alone (with any stream it reads beyond those read ahead), apart from the append.
            Effect.withSpan("CommandHandler.decide")
          )
          if (unit.changes.length === 0) return { changes: [], append: undefined } satisfies Handled
          const append = yield* store.appendMany(toAppends(unit.changes, versions), metadata)
          return { changes: append.duplicate ? [] : unit.changes, append } satisfies Handled
        })

      const handle = Effect.fn("CommandHandler.handle")(function* (signal: Signal, metadata: AppendMetadata) {
        // One round trip: an earlier append of this command, and the streams the signal names.
        const first = yield* store.readForCommand(metadata.commandId, EventSourcedReader.streamsNamedBy(signal))
        if (first.earlier !== undefined) return { changes: [], append: first.earlier } satisfies Handled
        // The first attempt decides on what was read ahead; one after a conflict reads again.
        let readAhead = first.streams
        return yield* retry(
          Effect.suspend(() => {
            const streams = readAhead
            readAhead = new Map()
            return decideAndAppend(signal, metadata, streams)
          })
        )
      })

      return CommandHandler.of({ handle })
    })

  static readonly layer = (options?: CommandHandlerOptions) =>
    Layer.effect(CommandHandler, CommandHandler.make(options))
}
