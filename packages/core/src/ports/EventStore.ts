/**
 * The port of the event log, OnAir's only source of truth. Events are appended to named streams (one per
 * aggregate) with optimistic concurrency and read back per stream or as one global, gap-free sequence.
 *
 * The global order is given by `Position`: the id of the transaction that wrote an event, then the event's
 * sequence number. Sequence numbers alone are not enough: in a database, sequence values are taken when a
 * transaction writes and become visible when it commits, so a reader that went by them could pass a value
 * whose transaction commits later and skip it for ever. Reading only what transactions older than every
 * running one wrote, in (transaction, sequence) order, never skips and never reorders.
 */
import { Context, type Effect, Schema } from "effect"
import { Timestamp } from "../Time.ts"

/** Where an event sits in the global log; compare with `comparePositions`. */
export const Position = Schema.Struct({
  transaction: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0))),
  sequence: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))
})
export type Position = typeof Position.Type

/** Before the first event: reading from here reads everything. */
export const LOG_START: Position = { transaction: 0, sequence: 0 }

export const comparePositions = (a: Position, b: Position): -1 | 0 | 1 =>
  a.transaction !== b.transaction
    ? a.transaction < b.transaction
      ? -1
      : 1
    : a.sequence === b.sequence
      ? 0
      : a.sequence < b.sequence
        ? -1
        : 1

/** The text form of a position, for cursors in URLs and logs: `<transaction>.<sequence>`. */
export const formatPosition = (position: Position): string => `${position.transaction}.${position.sequence}`

export const parsePosition = (text: string): Position | undefined => {
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(text)
  return match === null ? undefined : { transaction: Number(match[1]), sequence: Number(match[2]) }
}

/**
 * How many events a stream must have for an append to go ahead: a number (0 for a stream that does not
 * exist yet), or "any" to skip the check.
 */
export type ExpectedVersion = number | "any"

/** Who and what caused an append; stored with every event it writes. */
export const AppendMetadata = Schema.Struct({
  /** The command's id: appending the same command id twice stores its events once. */
  commandId: Schema.String.pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(200))),
  /** The id of the message that caused this command (the command itself when nothing did). */
  causationId: Schema.String,
  /** The id shared by everything one outside request set off. */
  correlationId: Schema.String,
  /** The token id of the caller, or a system actor such as `system:media`. */
  actor: Schema.String,
  /** When the command happened. */
  at: Timestamp,
  /**
   * A digest of the outside request that carried the command, when it came with an idempotency key: a
   * repeat of the key with another request is told apart from a retry of the same one.
   */
  requestDigest: Schema.optional(Schema.String),
  /** The W3C `traceparent` of the span that appended, when traces are exported (the store sets it). */
  traceParent: Schema.optional(Schema.String)
})
export type AppendMetadata = typeof AppendMetadata.Type

/** The metadata of a command nothing else caused: it is its own causation and correlation. */
export const originMetadata = (commandId: string, actor: string, at: Timestamp): AppendMetadata => ({
  commandId,
  causationId: commandId,
  correlationId: commandId,
  actor,
  at
})

export interface NewEvent {
  readonly type: string
  /** A JSON-serialisable value. */
  readonly data: unknown
}

export interface StreamAppend {
  readonly stream: string
  readonly expectedVersion: ExpectedVersion
  readonly events: ReadonlyArray<NewEvent>
}

export interface StoredEvent {
  readonly id: string
  readonly stream: string
  /** 1 for a stream's first event. */
  readonly version: number
  readonly position: Position
  readonly type: string
  readonly data: unknown
  readonly metadata: AppendMetadata
  /** The database's clock when the event was stored, epoch ms. */
  readonly recordedAt: number
}

export interface AppendResult {
  /** Each stream written to and its version after the append. */
  readonly streams: ReadonlyArray<{ readonly stream: string; readonly version: number }>
  /** The transaction that wrote the events: they are read back at or after `{transaction, 0}`. */
  readonly transaction: number
  /** True when this command id had been appended before and this is that first append's result. */
  readonly duplicate: boolean
}

export interface StreamRead {
  /** The stream's version: the number of events in it, 0 if it does not exist. */
  readonly version: number
  readonly events: ReadonlyArray<StoredEvent>
}

/** `readForCommand`'s answer. */
export interface CommandReads {
  readonly earlier: AppendResult | undefined
  /** Each stream asked for, by name. */
  readonly streams: ReadonlyMap<string, StreamRead>
}

export interface ReadAllOptions {
  /**
   * Only the events of streams of this category (the stream name before its first `-`: `accessToken`,
   * `webhookEndpoint`, `livestream`, …), through an index: a consumer of one category reads its own events,
   * not the whole log. `next` then moves past the category's last event read.
   */
  readonly category?: string
}

export interface AllRead {
  readonly events: ReadonlyArray<StoredEvent>
  /** Where the next read continues: the last event's position, or `from` when nothing was read. */
  readonly next: Position
}

export class WrongExpectedVersion extends Schema.TaggedError<WrongExpectedVersion>()("WrongExpectedVersion", {
  stream: Schema.String,
  expected: Schema.Int,
  actual: Schema.Int
}) {}

/** The consumer's lease is held by another owner, or expired: this runner must stop acknowledging. */
export class LeaseLost extends Schema.TaggedError<LeaseLost>()("LeaseLost", {
  consumer: Schema.String,
  owner: Schema.String
}) {}

export class EventStoreFailed extends Schema.TaggedError<EventStoreFailed>()("EventStoreFailed", {
  operation: Schema.String,
  message: Schema.String
}) {}

export class EventStore extends Context.Service<
  EventStore,
  {
    /** Appends to one stream; see `appendMany`. */
    readonly append: (
      stream: string,
      expectedVersion: ExpectedVersion,
      events: ReadonlyArray<NewEvent>,
      metadata: AppendMetadata
    ) => Effect.Effect<AppendResult, WrongExpectedVersion | EventStoreFailed>
    /**
     * Appends to several streams in one transaction: all or nothing. Fails with `WrongExpectedVersion` and
     * writes nothing when any stream's version is not the expected one; returns the first result when the
     * command id was appended before.
     */
    readonly appendMany: (
      appends: ReadonlyArray<StreamAppend>,
      metadata: AppendMetadata
    ) => Effect.Effect<AppendResult, WrongExpectedVersion | EventStoreFailed>
    /** The result of the append a command id made, if it made one. */
    readonly findCommand: (commandId: string) => Effect.Effect<AppendResult | undefined, EventStoreFailed>
    /**
     * What deciding a command reads, in one round trip: the append its id made before, if any (then the
     * streams do not matter), and each given stream as `readStream` reads it.
     */
    readonly readForCommand: (
      commandId: string,
      streams: ReadonlyArray<string>
    ) => Effect.Effect<CommandReads, EventStoreFailed>
    /** A stream's events after `afterVersion` (default 0: all of them), in order. */
    readonly readStream: (
      stream: string,
      options?: { readonly afterVersion?: number }
    ) => Effect.Effect<StreamRead, EventStoreFailed>
    /**
     * About `limit` events after `from`, in global order, in whole transactions: a read never ends inside a
     * unit of work, so it returns more than `limit` when the last transaction it reaches holds more (a
     * consumer's answers then never depend on its batch size). Only events whose place in the order is final
     * are returned, so a later read never finds an event before `next`.
     */
    readonly readAll: (
      from: Position,
      limit: number,
      options?: ReadAllOptions
    ) => Effect.Effect<AllRead, EventStoreFailed>
    /** The stored checkpoint of a named consumer, `LOG_START` if it has none. */
    readonly loadCheckpoint: (consumer: string) => Effect.Effect<Position, EventStoreFailed>
    /**
     * Stores a consumer's checkpoint; a position behind the stored one is ignored. With `owner`, only while
     * that owner holds the consumer's lease: otherwise nothing is stored and it fails with `LeaseLost`.
     */
    readonly storeCheckpoint: (
      consumer: string,
      position: Position,
      owner?: string
    ) => Effect.Effect<void, EventStoreFailed | LeaseLost>
    /**
     * Takes or renews the lease on a consumer for `ttlMillis`: true when `owner` holds it now, false while
     * another owner's lease has not expired. One lease holder per consumer name means one runner.
     */
    readonly acquireLease: (
      consumer: string,
      owner: string,
      ttlMillis: number
    ) => Effect.Effect<boolean, EventStoreFailed>
    /** Gives the lease up, if `owner` holds it. */
    readonly releaseLease: (consumer: string, owner: string) => Effect.Effect<void, EventStoreFailed>
    /** Forgets a consumer's checkpoint, so it starts again from `LOG_START`. */
    readonly resetCheckpoint: (consumer: string) => Effect.Effect<void, EventStoreFailed>
    /**
     * How many appends this store instance has committed. With `awaitAppendAfter`, lets a consumer in the
     * same process wake as soon as something is appended instead of at its next poll.
     */
    readonly appendCount: Effect.Effect<number>
    /**
     * True when nothing but this store instance can append (an embedded database one process holds):
     * consumers are woken by every append and need not poll for other writers.
     */
    readonly soleWriter: boolean
    /** Resolves once `appendCount` is above `count`. */
    readonly awaitAppendAfter: (count: number) => Effect.Effect<void>
  }
>()("@onair/core/EventStore") {}
