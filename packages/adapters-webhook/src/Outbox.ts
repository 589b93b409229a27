/**
 * The outbox: a durable subscription of the event log that turns committed events into webhook messages and
 * their deliveries. One runner at a time (a consumer lease); each batch's rows and its checkpoint commit in
 * one transaction, so an event's messages are stored exactly once, and only for events that committed.
 *
 * The messages need the state around each event (a session's start for `ingest.end.success`, the
 * endpoints that existed then): the outbox keeps it in its table (`OutboxStore`), written with each batch,
 * so a run starts from its checkpoint, whatever the length of the log. An outbox whose state was never
 * built (it ran before the table existed) builds it once, from the log up to its checkpoint, without
 * storing those messages again.
 */
import {
  comparePositions,
  EventStore,
  LeaseLost,
  type Position,
  type PublicUrls,
  seedTime,
  seedVersion,
  type StoredEvent
} from "@onair/core"
import { ConsumerLease, Subscription } from "@onair/event-store"
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import * as OutboxStore from "./OutboxStore.ts"
import type { Outgoing } from "./OutboxWorld.ts"

export const CONSUMER = "webhook-outbox"

/**
 * The envelope of webhook seed 004 (its `version` as the seed's sample of the type gives it, `template_id`
 * the room's template: the app), with OnAir's per-subject `sequence`.
 */
export const envelope = (outgoing: Outgoing): string =>
  JSON.stringify({
    version: seedVersion(outgoing.message.type),
    id: outgoing.id,
    account_id: outgoing.message.accountId,
    app_id: outgoing.message.appId,
    template_id: outgoing.message.data["template_id"] ?? null,
    timestamp: seedTime(outgoing.message.at),
    type: outgoing.message.type,
    sequence: outgoing.sequence,
    data: outgoing.message.data
  })

/** Whether `a` lies after `b` in the log. */
const after = (a: Position, b: Position) => comparePositions(a, b) > 0

/** Builds the state from where it was built up to `checkpoint`, storing no message (they are stored). */
const buildState = (store: OutboxStore.OutboxStore, urls: PublicUrls, checkpoint: Position, options?: OutboxOptions) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const from = yield* store.position
    if (!after(checkpoint, from)) return
    yield* Effect.logInfo("webhooks: building the outbox's state from the log up to its checkpoint (once)")
    yield* Subscription.drain(
      from,
      (events) => {
        // Checkpoints fall between transactions, and batches hold whole transactions.
        const stored = events.filter((event) => !after(event.position, checkpoint))
        return stored.length === 0 ? Effect.void : sql.withTransaction(Effect.asVoid(store.applyBatch(urls, stored)))
      },
      () => Effect.void,
      { ...options, batchSize: options?.batchSize ?? 500 }
    ).pipe(Effect.asVoid)
  })

export interface OutboxOptions extends Subscription.SubscriptionOptions {
  /** Called after each batch is stored (the delivery loop wakes on it). */
  readonly onStored?: () => void
}

/** Runs the outbox for ever, on standby while another process holds its lease. */
export const run = (urls: PublicUrls, options?: OutboxOptions) =>
  Effect.forever(
    ConsumerLease.withLease(
      CONSUMER,
      (owner) =>
        Effect.gen(function* () {
          const eventStore = yield* EventStore
          const sql = yield* SqlClient
          const store = yield* OutboxStore.make
          const from = yield* eventStore.loadCheckpoint(CONSUMER)
          yield* buildState(store, urls, from, options)
          const handle = (events: ReadonlyArray<StoredEvent>) =>
            Effect.gen(function* () {
              const last = events.at(-1)
              if (last === undefined) return
              yield* sql.withTransaction(
                Effect.gen(function* () {
                  yield* writeBatch(yield* store.applyBatch(urls, events))
                  yield* eventStore.storeCheckpoint(CONSUMER, last.position, owner)
                })
              )
              options?.onStored?.()
            })
          return yield* Subscription.follow(from, handle, options)
        }),
      options
    ).pipe(
      Effect.catchIf(
        (error): error is LeaseLost => error instanceof LeaseLost,
        () => Effect.void
      )
    )
  )

/** A batch's messages and their deliveries, in one statement each. */
export const writeBatch = (outgoing: ReadonlyArray<Outgoing>) =>
  Effect.gen(function* () {
    if (outgoing.length === 0) return
    const sql = yield* SqlClient
    const messages = outgoing.map((o, ordinal) => ({
      ordinal,
      id: o.id,
      account_id: o.message.accountId,
      app_id: o.message.appId,
      type: o.message.type,
      subject: o.message.subject,
      sequence: o.sequence,
      occurred_at: new Date(o.message.at).toISOString(),
      body: envelope(o),
      trace_parent: o.traceParent
    }))
    // In the batch's order, so the feed's positions follow the log's.
    const stored = yield* sql<{ id: string; position: string }>`
      INSERT INTO onair_webhook_messages (id, account_id, app_id, type, subject, sequence, occurred_at, body, trace_parent)
      SELECT id, account_id, app_id, type, subject, sequence, occurred_at, body, trace_parent
      FROM jsonb_to_recordset(${JSON.stringify(messages)}::jsonb)
        AS m(ordinal int, id uuid, account_id text, app_id text, type text, subject text, sequence bigint, occurred_at timestamptz, body text,
          trace_parent text)
      ORDER BY ordinal
      RETURNING id::text AS id, position::text AS position`
    const positionOf = new Map(stored.map((row) => [row.id, row.position]))
    const deliveries = outgoing.flatMap((o) =>
      o.endpointIds.map((endpoint_id) => ({ message_id: o.id, endpoint_id, message_position: positionOf.get(o.id) }))
    )
    if (deliveries.length === 0) return
    yield* sql`
      INSERT INTO onair_webhook_deliveries (message_id, endpoint_id, message_position, status, next_attempt_at, committed_at)
      SELECT message_id, endpoint_id, message_position, 'pending', now(), now()
      FROM jsonb_to_recordset(${JSON.stringify(deliveries)}::jsonb) AS d(message_id uuid, endpoint_id text, message_position bigint)`
  })
