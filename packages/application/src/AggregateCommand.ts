/**
 * The command path for an aggregate that stands alone (no workflow across aggregates): load its stream
 * (with any earlier append of the command, in one round trip), fold it, decide, append against the version
 * read, decide again on a conflict. Access tokens and webhook
 * endpoints are such aggregates.
 */
import {
  AggregateReadFailed,
  type AppendMetadata,
  type AppendResult,
  Decider,
  EventStore,
  type EventStoreFailed,
  type StreamRead
} from "@onair/core"
import { type Context, Effect, Layer, Result, Schema } from "effect"
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

/** A folded aggregate: its state and the version of its stream it was folded to. */
export interface Folded<S> {
  readonly state: S
  readonly version: number
}

/** `read`'s events decoded and folded onto `from` (the initial state by default). */
const foldRead = <C, E extends { readonly _tag: string }, S, X>(
  aggregate: Aggregate<C, E, S, X>,
  stream: string,
  read: StreamRead,
  from?: S
) =>
  Effect.gen(function* () {
    const decode = Schema.decodeUnknownResult(aggregate.events)
    const events: Array<E> = []
    for (const stored of read.events) {
      const event = decode(stored.data)
      if (Result.isFailure(event)) {
        return yield* new AggregateReadFailed({
          stream,
          message: `${stored.type}@${stored.version} does not match its schema`
        })
      }
      events.push(event.success)
    }
    return { state: Decider.fold(aggregate.decider, events, from), version: read.version } satisfies Folded<S>
  })

/**
 * The aggregate's state and version, folded from its stream: from its start, or, given what was folded
 * before, from that state with only the events after its version read.
 */
export const load = <C, E extends { readonly _tag: string }, S, X>(
  aggregate: Aggregate<C, E, S, X>,
  stream: string,
  since?: Folded<S>
) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const read = yield* store
      .readStream(stream, since === undefined ? undefined : { afterVersion: since.version })
      .pipe(Effect.mapError((error) => new AggregateReadFailed({ stream, message: error.message })))
    return yield* foldRead(aggregate, stream, read, since?.state)
  })

export const handle = <C, E extends { readonly _tag: string }, S, X>(
  aggregate: Aggregate<C, E, S, X>,
  command: C,
  metadata: AppendMetadata,
  options?: RetryOptions
): Effect.Effect<Decided<E, S>, X | AggregateCommandError, EventStore> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const stream = aggregate.stream(command)
    const encode = Schema.encodeUnknownSync(aggregate.events)
    // One round trip, as on the workflow's command path: an earlier append of this command, and the stream.
    const first = yield* store.readForCommand(metadata.commandId, [stream])
    const read = first.streams.get(stream)!
    if (first.earlier !== undefined) {
      const { state } = yield* foldRead(aggregate, stream, read)
      return { events: [], state, append: first.earlier }
    }
    // The first attempt decides on what was read; one after a conflict reads again.
    let readAhead: StreamRead | undefined = read
    const attempt = Effect.gen(function* () {
      const ahead = readAhead
      readAhead = undefined
      const { state, version } = yield* ahead === undefined
        ? load(aggregate, stream)
        : foldRead(aggregate, stream, ahead)
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

/**
 * `handle` for one aggregate, bound to the event store of the layer that builds it: the whole of a
 * standalone aggregate's command service (media nodes, recordings).
 */
export const handlerFor = <C, E extends { readonly _tag: string }, S, X>(aggregate: Aggregate<C, E, S, X>) =>
  Effect.map(
    Effect.service(EventStore),
    (store) =>
      (command: C, metadata: AppendMetadata): Effect.Effect<Decided<E, S>, X | AggregateCommandError> =>
        handle(aggregate, command, metadata).pipe(Effect.provideService(EventStore, store))
  )

/** An aggregate's command path as a service: its decision on a command, appended. */
export interface CommandPath<C, E, S, X> {
  readonly handle: (command: C, metadata: AppendMetadata) => Effect.Effect<Decided<E, S>, X | AggregateCommandError>
}

/** The layer of the command path service `service`, for `aggregate`: the one wrapper every such service uses. */
export const layerFor = <Self, C, E extends { readonly _tag: string }, S, X>(
  service: Context.Key<Self, CommandPath<C, E, S, X>>,
  aggregate: Aggregate<C, E, S, X>
): Layer.Layer<Self, never, EventStore> =>
  Layer.effect(
    service,
    Effect.map(handlerFor(aggregate), (handle) => ({ handle }))
  )
