/**
 * `onair_livestreams` as a projection of the log (consumer `livestream-table`): each batch folds the
 * livestreams it touches with the core's own `evolve`, from the states the table holds, and writes them
 * back in one statement, with the batch's checkpoint in the same transaction (`Projection`). A row's
 * `next_timer_at` is the earliest of its broadcast's timers, and any change to the livestream frees a
 * timer worker's claim on it.
 */
import {
  LivestreamDecider,
  type LivestreamEvent,
  type LivestreamState,
  Livestream as LivestreamSchema,
  status,
  nextTimerAt,
  type StoredEvent
} from "@onair/core"
import { DomainEvents, Projection } from "@onair/event-store"
import { Duration, Effect, Layer, Result, Schedule, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as CatalogMigrations from "./CatalogMigrations.ts"

export const PROJECTION = "livestream-table"

const encode = Schema.encodeSync(LivestreamSchema)
const decode = Schema.decodeUnknownSync(LivestreamSchema)

/** A livestream's state as the table stores it. */
export const decodeState = (state: unknown): typeof LivestreamSchema.Type =>
  decode(typeof state === "string" ? JSON.parse(state) : state)

const iso = (millis: number) => new Date(millis).toISOString()

const apply = (events: ReadonlyArray<StoredEvent>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    const byId = new Map<string, Array<LivestreamEvent>>()
    for (const stored of events) {
      const change = DomainEvents.toChange(stored)
      if (Result.isFailure(change) || change.success.kind !== "livestream") continue
      const list = byId.get(change.success.id) ?? []
      list.push(change.success.event as LivestreamEvent)
      byId.set(change.success.id, list)
    }
    if (byId.size === 0) return
    const stored = yield* sql<{ id: string; state: unknown }>`
      SELECT id, state FROM onair_livestreams WHERE id IN ${sql.in([...byId.keys()])}`
    const states = new Map<string, LivestreamState>(stored.map((row) => [row.id, decodeState(row.state)]))
    const rows = []
    for (const [id, livestreamEvents] of byId) {
      const state = livestreamEvents.reduce(LivestreamDecider.evolve, states.get(id) ?? null)
      if (state === null) continue
      const next = nextTimerAt(state) ?? null
      rows.push({
        id,
        account_id: state.accountId,
        app_id: state.appId,
        status: status(state),
        deleted: state.deleted,
        created_at: iso(state.createdAt),
        updated_at: iso(state.updatedAt),
        state: encode(state),
        next_timer_at: next === null ? null : iso(next)
      })
    }
    if (rows.length === 0) return
    yield* sql`
      INSERT INTO onair_livestreams (id, account_id, app_id, status, deleted, created_at, updated_at, state, next_timer_at)
      SELECT id, account_id, app_id, status, deleted, created_at, updated_at, state, next_timer_at
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id text, account_id text, app_id text, status text,
        deleted boolean, created_at timestamptz, updated_at timestamptz, state jsonb, next_timer_at timestamptz)
      ON CONFLICT (id) DO UPDATE SET
        status = excluded.status, deleted = excluded.deleted, updated_at = excluded.updated_at,
        state = excluded.state, next_timer_at = excluded.next_timer_at, timer_claimed_until = NULL`
  })

export const projection: Projection.Projection<SqlError, SqlClient> = {
  name: PROJECTION,
  apply,
  reset: Effect.gen(function*() {
    const sql = yield* SqlClient
    yield* sql`TRUNCATE onair_livestreams`
  })
}

/**
 * Keeps the table for as long as the layer lives: migrated when it starts, then followed by whichever
 * process holds the projection's lease (the others stand by), retried with back-off when the database is
 * away.
 */
export const layer = Layer.effectDiscard(Effect.gen(function*() {
  yield* CatalogMigrations.run
  yield* Effect.forkScoped(
    Projection.run(projection).pipe(
      Effect.tapError((error) => Effect.logWarning(`catalog: ${PROJECTION} stopped (${String(error)}); retrying`)),
      Effect.retry(Schedule.min([Schedule.exponential(Duration.seconds(1)), Schedule.spaced(Duration.seconds(30))])),
      Effect.orDie
    )
  )
}))
