/**
 * The command path for an aggregate that stands alone (no workflow across aggregates): load its stream,
 * fold it, decide, append against the version read, decide again on a conflict. Access tokens and webhook
 * endpoints are such aggregates.
 */
import {
  AggregateReadFailed,
  type AppendMetadata,
  type AppendResult,
  Decider,
  EventStore,
  type EventStoreFailed
} from "@onair/core"
import { Effect, Result, Schema } from "effect"
import { type CommandConflict, type RetryOptions, retryOnConflict } from "./RetryOnConflict.ts"

export interface Aggregate<C, E extends { readonly _tag: string }, S, X> {
  readonly decider: Decider.Decider<C, E, S, X>
  /** The events' schema: how they are stored and read back. */
  readonly events: Schema.Codec<E, unknown>
  /** The stream a command's aggregate lives in. */
  readonly stream: (command: C) => string
}

/** What can go wrong around a decision: reading the stream, the store, racing writers. */
export type AggregateCommandError = AggregateReadFailed | EventStoreFailed | CommandConflict

export interface Decided<E, S> {
  /** The events this command appended; empty for a repeat of a command id. */
  readonly events: ReadonlyArray<E>
  /** The aggregate's state after them (for a repeat: its state now). */
  readonly state: S
  readonly append: AppendResult | undefined
}

/** The aggregate's state and version, folded from its stream. */
export const load = <C, E extends { readonly _tag: string }, S, X>(aggregate: Aggregate<C, E, S, X>, stream: string) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const read = yield* store.readStream(stream).pipe(
      Effect.mapError((error) => new AggregateReadFailed({ stream, message: error.message }))
    )
    const decode = Schema.decodeUnknownResult(aggregate.events)
    const events: Array<E> = []
    for (const stored of read.events) {
      const event = decode(stored.data)
      if (Result.isFailure(event)) {
        return yield* new AggregateReadFailed({ stream, message: `${stored.type}@${stored.version} does not match its schema` })
      }
      events.push(event.success)
    }
    return { state: Decider.fold(aggregate.decider, events), version: read.version }
  })

export const handle = <C, E extends { readonly _tag: string }, S, X>(
  aggregate: Aggregate<C, E, S, X>,
  command: C,
  metadata: AppendMetadata,
  options?: RetryOptions
): Effect.Effect<Decided<E, S>, X | AggregateCommandError, EventStore> =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const stream = aggregate.stream(command)
    const encode = Schema.encodeUnknownSync(aggregate.events)
    const earlier = yield* store.findCommand(metadata.commandId)
    if (earlier !== undefined) {
      const { state } = yield* load(aggregate, stream)
      return { events: [], state, append: earlier }
    }
    const attempt = Effect.gen(function*() {
      const { state, version } = yield* load(aggregate, stream)
      const events = yield* Result.match(aggregate.decider.decide(command, state), {
        onFailure: (error) => Effect.fail(error),
        onSuccess: (events) => Effect.succeed(events)
      })
      if (events.length === 0) return { events, state, append: undefined }
      const append = yield* store.append(
        stream,
        version,
        events.map((event) => ({ type: event._tag, data: encode(event) })),
        metadata
      )
      return { events: append.duplicate ? [] : events, state: Decider.fold(aggregate.decider, events, state), append }
    })
    return yield* retryOnConflict(options)(attempt)
  })
