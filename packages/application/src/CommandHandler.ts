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
  Workflow,
  type WorkflowError
} from "@onair/core"
import { Context, Effect, Layer } from "effect"
import { DomainEvents } from "@onair/event-store"
import * as EventSourcedReader from "./EventSourcedReader.ts"
import { type AggregateSnapshots } from "./SnapshotReader.ts"
import * as SnapshotReader from "./SnapshotReader.ts"
import { type CommandConflict, type RetryOptions, retryOnConflict } from "./RetryOnConflict.ts"
import { StreamKeys } from "./StreamKeys.ts"

export type CommandError = WorkflowError | CommandConflict | EventStoreFailed

export interface Handled {
  /** What this command appended; empty when it was a repeat or decided that nothing changes. */
  readonly changes: ReadonlyArray<Change>
  /** The append's result; `duplicate` for a repeat. Undefined when nothing was appended. */
  readonly append: AppendResult | undefined
}

export interface CommandHandlerOptions extends RetryOptions {
  /**
   * A read model of every aggregate's state and version (the catalog): first attempts decide from it
   * without reading the database; retries after a conflict read the streams.
   */
  readonly snapshots?: AggregateSnapshots
}

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

export class CommandHandler extends Context.Service<CommandHandler, {
  readonly handle: (signal: Signal, metadata: AppendMetadata) => Effect.Effect<Handled, CommandError>
}>()("@onair/event-store/CommandHandler") {
  static readonly make = (options?: CommandHandlerOptions) =>
    Effect.gen(function*() {
      const store = yield* EventStore
      const keyIndex = yield* StreamKeys
      const retry = retryOnConflict(options)

      const snapshots = options?.snapshots

      /**
       * Decides the signal on `reader`'s states and appends against the versions it read. With `checkedOnly`,
       * a unit that read a stream it does not write is not appended (undefined): its version would go
       * unchecked, so a lagging read model could have decided it.
       */
      const decideAndAppend = (
        signal: Signal,
        metadata: AppendMetadata,
        { reader, versions }: { readonly reader: AggregateReader["Service"] } & EventSourcedReader.ReadVersions,
        checkedOnly = false
      ) =>
        Effect.gen(function*() {
          const unit = yield* Workflow.handle(signal).pipe(Effect.provideService(AggregateReader, reader))
          if (unit.changes.length === 0) {
            return checkedOnly ? undefined : { changes: [], append: undefined } satisfies Handled
          }
          const appends = toAppends(unit.changes, versions)
          if (checkedOnly) {
            const written = new Set(appends.map((append) => append.stream))
            for (const stream of versions.keys()) if (!written.has(stream)) return undefined
          }
          const append = yield* store.appendMany(appends, metadata)
          return { changes: append.duplicate ? [] : unit.changes, append } satisfies Handled
        })

      const fromStreams = (signal: Signal, metadata: AppendMetadata) =>
        Effect.map(
          decideAndAppend(signal, metadata, EventSourcedReader.make(store, keyIndex.lookup)),
          (handled) => handled ?? { changes: [], append: undefined }
        )

      /**
       * The first attempt, from the read model when there is one. Only a unit whose every read is checked by
       * its append is taken from it; a refusal, a decision to change nothing, or a unit that read streams it
       * does not write is decided again on the streams themselves.
       */
      const first = (signal: Signal, metadata: AppendMetadata) =>
        snapshots === undefined
          ? fromStreams(signal, metadata)
          : decideAndAppend(signal, metadata, SnapshotReader.make(snapshots, keyIndex.lookup), true).pipe(
            Effect.flatMap((handled) => handled === undefined ? fromStreams(signal, metadata) : Effect.succeed(handled)),
            Effect.catchIf(
              (error) => error._tag !== "WrongExpectedVersion" && error._tag !== "EventStoreFailed",
              () => fromStreams(signal, metadata)
            )
          )

      const handle = Effect.fn("CommandHandler.handle")(function*(signal: Signal, metadata: AppendMetadata) {
        const earlier = yield* store.findCommand(metadata.commandId)
        if (earlier !== undefined) return { changes: [], append: earlier } satisfies Handled
        let attempts = 0
        return yield* retry(Effect.suspend(() => attempts++ === 0 ? first(signal, metadata) : fromStreams(signal, metadata)))
      })

      return CommandHandler.of({ handle })
    })

  static readonly layer = (options?: CommandHandlerOptions) => Layer.effect(CommandHandler, CommandHandler.make(options))
}
