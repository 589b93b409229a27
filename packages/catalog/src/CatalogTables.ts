/**
 * The catalog's tables as one projection of the log (consumer `catalog`): each batch groups its events by
 * the aggregate they are of, folds each touched aggregate with the core's own `evolve` from the state its
 * table holds, and writes each table back in one statement (`AggregateTable`), then the meeting intervals
 * and health samples; the batch's checkpoint is stored in the same transaction (`Projection`).
 */
import type { Change, StoredEvent } from "@onair/core"
import { DomainEvents, type Projection, SecretKeyring } from "@onair/event-store"
import { Effect, Result, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { type AggregateTable, loadStates, writeTable } from "./AggregateTable.ts"
import { TABLES } from "./CatalogMigrations.ts"
import { tablesFor } from "./CoreAggregateTables.ts"
import { writeHealthSamples } from "./HealthSamples.ts"
import { writeMeetingSessions } from "./MeetingSessions.ts"
import { accessCategories } from "./StandaloneTables.ts"

export const PROJECTION = "catalog"

export class CatalogEventUnreadable extends Schema.TaggedError<CatalogEventUnreadable>()("CatalogEventUnreadable", {
  eventId: Schema.String,
  message: Schema.String
}) {}

const apply = (events: ReadonlyArray<StoredEvent>) =>
  Effect.gen(function* () {
    const keyring = yield* SecretKeyring
    const tables = tablesFor(keyring)
    const access = accessCategories(keyring)
    const changes: Array<Change> = []
    // Each table's aggregates in the batch, each with its events in log order.
    // biome-ignore lint/suspicious/noExplicitAny: a table of every aggregate's kind: TypeScript has no existential type, and each entry is typed where it is made
    const byTable = new Map<AggregateTable<any>, Map<string, Array<unknown>>>()
    // Per table: a recording's id is its session's, and each row's ordinal is its own aggregate's.
    // biome-ignore lint/suspicious/noExplicitAny: a table of every aggregate's kind: TypeScript has no existential type, and each entry is typed where it is made
    const firstSequence = new Map<AggregateTable<any>, Map<string, number>>()
    // biome-ignore lint/suspicious/noExplicitAny: a table of every aggregate's kind: TypeScript has no existential type, and each entry is typed where it is made
    const group = (table: AggregateTable<any>, id: string, event: unknown, sequence: number) => {
      const ofTable = byTable.get(table) ?? new Map<string, Array<unknown>>()
      byTable.set(table, ofTable)
      const list = ofTable.get(id)
      if (list === undefined) {
        const sequences = firstSequence.get(table) ?? new Map<string, number>()
        firstSequence.set(table, sequences)
        sequences.set(id, sequence)
        ofTable.set(id, [event])
      } else list.push(event)
    }
    for (const stored of events) {
      const category = access[stored.stream.slice(0, stored.stream.indexOf("-"))]
      if (category !== undefined) {
        const decoded = category.decode(stored.data)
        if (Result.isFailure(decoded))
          return yield* new CatalogEventUnreadable({ eventId: stored.id, message: decoded.failure })
        group(category.table, decoded.success.id, decoded.success.event, stored.position.sequence)
        continue
      }
      if (DomainEvents.parseStream(stored.stream) === undefined) continue
      const change = DomainEvents.toChange(stored)
      if (Result.isFailure(change)) {
        return yield* new CatalogEventUnreadable({ eventId: stored.id, message: change.failure })
      }
      changes.push(change.success)
      group(tables[change.success.kind], change.success.id, change.success.event, stored.position.sequence)
    }
    const stored = yield* loadStates([...byTable].map(([spec, byId]) => [spec.table, [...byId.keys()]] as const))
    for (const [spec, byId] of byTable) yield* writeTable(spec, byId, stored.get(spec.table)!, firstSequence.get(spec)!)
    yield* writeMeetingSessions(changes)
    yield* writeHealthSamples(changes)
  })

export const projection: Projection.Projection<SqlError | CatalogEventUnreadable, SqlClient | SecretKeyring> = {
  name: PROJECTION,
  apply,
  reset: Effect.gen(function* () {
    const sql = yield* SqlClient
    yield* sql.unsafe(`TRUNCATE ${TABLES.join(", ")}`)
  })
}
