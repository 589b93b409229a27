/**
 * How one aggregate's table is kept: the spec of a table (how its state folds, how it is stored, the
 * columns written with it) and the writer that folds a batch's events onto the stored states and writes
 * every changed row back in one statement.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

export const iso = (millis: number) => new Date(millis).toISOString()
export const isoOrNull = (millis: number | null) => (millis === null ? null : iso(millis))

/**
 * One aggregate's table: how its state folds, how it is stored, and the columns written with it. A new row
 * takes its ordinal (when the table has one) from its aggregate's first event; on a conflict every column
 * but the key and the ordinal is replaced.
 */
export interface AggregateTable<S> {
  readonly table: string
  // biome-ignore lint/suspicious/noExplicitAny: each aggregate's decider takes its own events; the projection hands it only events of its stream
  readonly evolve: (state: S | null, event: any) => S | null
  readonly decode: (state: unknown) => S
  readonly encode: (state: S) => unknown
  /** Whether the table orders its rows by `ordinal`. */
  readonly ordinal: boolean
  /** Column name to SQL type, `id`, `state` and `ordinal` excepted. */
  readonly columns: Readonly<Record<string, string>>
  readonly row: (state: S) => Readonly<Record<string, unknown>>
  /** Extra SET clauses on update. */
  readonly onUpdate?: string
  /** Run after the rows are written, with each aggregate's state before the batch and after it. */
  readonly written?: (
    changed: ReadonlyArray<{ readonly before: S | null; readonly after: S }>
  ) => Effect.Effect<void, SqlError, SqlClient>
}

/** Aggregates folded between two yields to the event loop. */
const YIELD_EVERY = 32

/**
 * The stored states of every aggregate the batch touches, table by table, in one statement (a round trip
 * per table was most of a small batch's time).
 */
export const loadStates = (touched: ReadonlyArray<readonly [table: string, ids: ReadonlyArray<string>]>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const states = new Map<string, Map<string, unknown>>(touched.map(([table]) => [table, new Map()]))
    if (touched.length === 0) return states
    const query = touched
      .map(
        ([table], index) =>
          `SELECT ${index} AS t, id, state FROM ${table} WHERE id IN (SELECT jsonb_array_elements_text($${index + 1}::jsonb))`
      )
      .join(" UNION ALL ")
    const rows = yield* sql.unsafe<{ t: number | string; id: string; state: unknown }>(
      query,
      touched.map(([, ids]) => JSON.stringify(ids))
    )
    for (const row of rows) states.get(touched[Number(row.t)]![0])!.set(row.id, row.state)
    return states
  })

/** Folds one table's aggregates of the batch from their stored states and writes them back. */
export const writeTable = <S>(
  spec: AggregateTable<S>,
  byId: ReadonlyMap<string, ReadonlyArray<unknown>>,
  states: ReadonlyMap<string, unknown>,
  firstSequence: ReadonlyMap<string, number>
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const rows = []
    const changed: Array<{ readonly before: S | null; readonly after: S }> = []
    let folded = 0
    for (const [id, events] of byId) {
      // A large batch gives way now and then: the API answers from the same event loop.
      if (++folded % YIELD_EVERY === 0) yield* Effect.yieldNow
      const before = states.has(id) ? spec.decode(states.get(id)) : null
      const state = events.reduce<S | null>(spec.evolve, before)
      if (state === null) continue
      rows.push({
        id,
        state: spec.encode(state),
        ...spec.row(state),
        ...(spec.ordinal ? { ordinal: firstSequence.get(id) } : {})
      })
      changed.push({ before, after: state })
    }
    if (rows.length === 0) return
    const names = Object.keys(spec.columns)
    const inserted = spec.ordinal ? ["ordinal", ...names] : names
    const columns = ["id", "state", ...inserted].join(", ")
    const types = [
      "id text",
      "state jsonb",
      ...(spec.ordinal ? ["ordinal bigint"] : []),
      ...names.map((name) => `${name} ${spec.columns[name]}`)
    ].join(", ")
    const updates = ["state = excluded.state", ...names.map((name) => `${name} = excluded.${name}`)]
    if (spec.onUpdate !== undefined) updates.push(spec.onUpdate)
    yield* sql.unsafe(
      `INSERT INTO ${spec.table} (${columns})
       SELECT ${columns} FROM jsonb_to_recordset($1::jsonb) AS r(${types})
       ON CONFLICT (id) DO UPDATE SET ${updates.join(", ")}`,
      [JSON.stringify(rows)]
    )
    if (spec.written !== undefined) yield* spec.written(changed)
  })
