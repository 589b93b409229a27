/**
 * The outbox's state in its table: a batch loads the keys its events name, is applied (again, with the
 * keys it missed, until it misses none), and writes back what it changed, in the batch's transaction. The
 * state is as of the outbox's checkpoint; its own position (`outbox:position`) says how far it was built,
 * so a deployment whose outbox ran before the table existed builds it once from the log.
 */
import { RecordingLinks } from "@onair/application"
import { CatalogStates } from "@onair/catalog"
import { type Livestream, LOG_START, type Position, type PublicUrls, type StoredEvent } from "@onair/core"
import { DomainEvents, SecretKeyring } from "@onair/event-store"
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { ENDPOINT_STREAM_PREFIX } from "./EndpointStreams.ts"
import { appKey, OutboxState } from "./OutboxState.ts"
import { type Outgoing, OutboxWorld } from "./OutboxWorld.ts"

const POSITION_KEY = "outbox:position"
/** More rounds than any chain of references between aggregates needs. */
const MAX_ROUNDS = 8

const REFERENCES: ReadonlyArray<readonly [string, string]> = [
  ["livestreamId", "livestream"],
  ["sessionId", "session"],
  ["ingestId", "ingest"],
  ["meetingId", "meeting"],
  ["endpointId", "endpoint"],
  ["recordingId", "recording"],
  // A recording's id is its session's.
  ["recordingId", "session"],
  ["targetId", "restreamTarget"]
]

/** The keys a batch certainly reads: each event's own aggregate and the ones its data names. */
const keysOf = (events: ReadonlyArray<StoredEvent>): Set<string> => {
  const keys = new Set<string>()
  for (const event of events) {
    if (event.stream.startsWith(ENDPOINT_STREAM_PREFIX))
      keys.add(`endpoint:${event.stream.slice(ENDPOINT_STREAM_PREFIX.length)}`)
    const subject = DomainEvents.parseStream(event.stream)
    if (subject !== undefined) keys.add(`${subject.kind}:${subject.id}`)
    const data = event.data as Record<string, unknown>
    for (const [field, kind] of REFERENCES) if (typeof data?.[field] === "string") keys.add(`${kind}:${data[field]}`)
  }
  return keys
}

export const make = Effect.gen(function* () {
  const sql = yield* SqlClient
  const livestreams = CatalogStates.livestreamStates(yield* SecretKeyring)
  const links = yield* RecordingLinks

  const decode = (key: string, value: unknown): unknown => {
    const state = CatalogStates.parsed(value)
    return key.startsWith("livestream:") && state !== null ? livestreams.decode(state) : state
  }
  const encode = (key: string, value: unknown): unknown =>
    key.startsWith("livestream:") && value !== null ? livestreams.encode(value as Livestream) : value

  const load = (
    keys: ReadonlyArray<string>,
    apps: ReadonlyArray<string>,
    into: { values: Map<string, unknown>; appEndpoints: Map<string, Array<string>> }
  ) =>
    Effect.gen(function* () {
      if (keys.length > 0) {
        const rows = yield* sql<{
          key: string
          value: unknown
        }>`SELECT key, value FROM onair_outbox_state WHERE key IN ${sql.in(keys)}`
        for (const key of keys) into.values.set(key, null)
        for (const row of rows) into.values.set(row.key, decode(row.key, row.value))
      }
      if (apps.length > 0) {
        const rows = yield* sql<{ key: string; app: string; value: unknown }>`
          SELECT key, app, value FROM onair_outbox_state WHERE app IN ${sql.in(apps)}`
        for (const app of apps) into.appEndpoints.set(app, [])
        for (const row of rows) {
          into.appEndpoints.get(row.app)!.push(row.key.slice("endpoint:".length))
          if (!into.values.has(row.key)) into.values.set(row.key, decode(row.key, row.value))
        }
      }
    })

  const save = (written: ReadonlyMap<string, unknown>, position: Position) =>
    Effect.gen(function* () {
      const gone = [...written].flatMap(([key, value]) => (value === null || value === undefined ? [key] : []))
      if (gone.length > 0) yield* sql`DELETE FROM onair_outbox_state WHERE key IN ${sql.in(gone)}`
      const rows = [...written]
        .filter(([, value]) => value !== null && value !== undefined)
        .map(([key, value]) => {
          const endpoint = key.startsWith("endpoint:") ? (value as { accountId: string; appId: string }) : undefined
          return {
            key,
            app: endpoint === undefined ? null : appKey(endpoint.accountId, endpoint.appId),
            value: encode(key, value)
          }
        })
      rows.push({ key: POSITION_KEY, app: null, value: position })
      yield* sql`
        INSERT INTO onair_outbox_state (key, app, value)
        SELECT key, app, value FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(key text, app text, value jsonb)
        ON CONFLICT (key) DO UPDATE SET app = excluded.app, value = excluded.value`
    })

  /**
   * The batch's messages, with the state they leave written (call it inside the batch's transaction).
   * The batch is applied again, from the loaded state, for as long as it reads keys not loaded yet.
   */
  const applyBatch = (urls: PublicUrls, events: ReadonlyArray<StoredEvent>) =>
    Effect.gen(function* () {
      const last = events.at(-1)
      if (last === undefined) return []
      const loaded = { values: new Map<string, unknown>(), appEndpoints: new Map<string, Array<string>>() }
      let keys: ReadonlyArray<string> = [...keysOf(events)]
      let apps: ReadonlyArray<string> = []
      for (let round = 0; round < MAX_ROUNDS; round++) {
        yield* load(keys, apps, loaded)
        const state = new OutboxState(loaded)
        const outgoing = new OutboxWorld(urls, state, links.link).applyBatch(events)
        if (state.missed.size === 0) {
          yield* save(state.written, last.position)
          return outgoing
        }
        const missed = [...state.missed]
        keys = missed.filter((key) => !key.startsWith("app:") && !loaded.values.has(key))
        apps = missed
          .filter((key) => key.startsWith("app:"))
          .map((key) => key.slice(4))
          .filter((app) => !loaded.appEndpoints.has(app))
      }
      return yield* Effect.die(new Error(`outbox: a batch still misses state after ${MAX_ROUNDS} rounds`))
    })

  /** How far the state was built (the log's start when it never was). */
  const position = Effect.map(
    sql<{ value: unknown }>`SELECT value FROM onair_outbox_state WHERE key = ${POSITION_KEY}`,
    (rows): Position => {
      const value = rows[0]?.value
      return value === undefined ? LOG_START : (CatalogStates.parsed(value) as Position)
    }
  )

  return { applyBatch, position }
})

export type OutboxStore = Effect.Success<typeof make>
export type { Outgoing }
