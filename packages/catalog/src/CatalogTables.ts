/**
 * The catalog's tables as one projection of the log (consumer `catalog`): each batch folds the aggregates
 * it touches with the core's own `evolve`, from the states the tables hold, and writes each table back in
 * one statement, with the batch's checkpoint in the same transaction (`Projection`). Meeting sessions are
 * kept as intervals for day-wise analytics. A livestream row's `next_timer_at` is the earliest of its
 * broadcast's timers, and any change to the livestream frees a timer worker's claim on it. API tokens and
 * webhook endpoints and media nodes (streams outside the core's aggregates) are kept the same way.
 */
import {
  ACCESS_TOKEN_CATEGORY,
  App,
  APP_CATEGORY,
  AppDecider,
  AppEvent,
  APP_SETTINGS_CATEGORY,
  AppSettings,
  AppSettingsDecider,
  AppSettingsEvent,
  AccessToken,
  AccessTokenDecider,
  AccessTokenEvent,
  type AggregateKind,
  type Change,
  Ingest,
  IngestDecider,
  isConnected,
  isSettled,
  type Livestream,
  LivestreamDecider,
  MEDIA_NODE_CATEGORY,
  MediaNode,
  MediaNodeDecider,
  MediaNodeEvent,
  mediaNodeStatus,
  Meeting,
  RECORDING_CATEGORY,
  RESTREAM_TARGET_CATEGORY,
  RestreamDecider,
  RestreamEvent,
  type RestreamTarget,
  Recording,
  RecordingDecider,
  RecordingEvent,
  MeetingDecider,
  nextTimerAt,
  Session,
  SessionDecider,
  status,
  type StoredEvent,
  type WebhookEndpoint,
  WebhookEndpointDecider,
  WebhookEndpointEvent,
  WEBHOOK_ENDPOINT_CATEGORY
} from "@onair/core"
import { DomainEvents, type Keyring, type Projection, SecretKeyring } from "@onair/event-store"
import { Effect, Result, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { TABLES } from "./CatalogMigrations.ts"
import {
  decodeAccessToken,
  decodeApp,
  decodeAppSettings,
  decodeIngest,
  decodeMediaNode,
  decodeRecording,
  decodeMeeting,
  decodeSession,
  endpointStates,
  livestreamStates,
  restreamStates
} from "./CatalogStates.ts"
import { countLivestreams, countSessionDays } from "./CatalogTotals.ts"

export const PROJECTION = "catalog"

export class CatalogEventUnreadable extends Schema.TaggedError<CatalogEventUnreadable>()("CatalogEventUnreadable", {
  eventId: Schema.String,
  message: Schema.String
}) {}

const iso = (millis: number) => new Date(millis).toISOString()
const isoOrNull = (millis: number | null) => (millis === null ? null : iso(millis))

/**
 * One aggregate's table: how its state folds, how it is stored, and the columns written with it. A new row
 * takes its ordinal (when the table has one) from its aggregate's first event; on a conflict every column
 * but the key and the ordinal is replaced.
 */
interface AggregateTable<S> {
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

// biome-ignore lint/suspicious/noExplicitAny: a table of every aggregate's kind: TypeScript has no existential type, and each entry is typed where it is made
const tablesFor = (keyring: Keyring): { readonly [K in AggregateKind]: AggregateTable<any> } => {
  const livestreams = livestreamStates(keyring)
  const batch = livestreams.forBatch()
  return {
    livestream: {
      table: "onair_livestreams",
      evolve: LivestreamDecider.evolve,
      decode: batch.decode,
      encode: batch.encode,
      ordinal: true,
      columns: {
        account_id: "text",
        app_id: "text",
        status: "text",
        deleted: "boolean",
        meeting_id: "text",
        stream_key: "text",
        created_at: "timestamptz",
        updated_at: "timestamptz",
        next_timer_at: "timestamptz"
      },
      row: (state: Livestream) => ({
        account_id: state.accountId,
        app_id: state.appId,
        status: status(state),
        deleted: state.deleted,
        meeting_id: state.meetingId,
        stream_key: livestreams.digest(state.streamKey),
        created_at: iso(state.createdAt),
        updated_at: iso(state.updatedAt),
        next_timer_at: isoOrNull(nextTimerAt(state) ?? null)
      }),
      onUpdate: "timer_claimed_until = NULL",
      written: countLivestreams
    },
    session: {
      table: "onair_sessions",
      evolve: SessionDecider.evolve,
      decode: decodeSession,
      encode: Schema.encodeSync(Session),
      ordinal: true,
      columns: {
        livestream_id: "text",
        account_id: "text",
        app_id: "text",
        started_at: "timestamptz",
        settled: "boolean"
      },
      row: (state: Session) => ({
        livestream_id: state.livestreamId,
        account_id: state.accountId,
        app_id: state.appId,
        started_at: isoOrNull(state.startedAt),
        settled: isSettled(state)
      }),
      written: countSessionDays
    },
    ingest: {
      table: "onair_ingests",
      evolve: IngestDecider.evolve,
      decode: decodeIngest,
      encode: Schema.encodeSync(Ingest),
      ordinal: false,
      columns: { connected: "boolean", node_id: "text" },
      row: (state: Ingest) => ({ connected: isConnected(state), node_id: state.nodeId })
    },
    meeting: {
      table: "onair_meetings",
      evolve: MeetingDecider.evolve,
      decode: decodeMeeting,
      encode: Schema.encodeSync(Meeting),
      ordinal: true,
      columns: { account_id: "text", app_id: "text" },
      row: (state: Meeting) => ({ account_id: state.accountId, app_id: state.appId })
    }
  }
}

/** The streams of the access aggregates, by category: how each event decodes and which id it is of. */
interface AccessCategory {
  readonly decode: (data: unknown) => Result.Result<{ readonly id: string; readonly event: unknown }, string>
  // biome-ignore lint/suspicious/noExplicitAny: a table of every aggregate's kind: TypeScript has no existential type, and each entry is typed where it is made
  readonly table: AggregateTable<any>
}

const decodeTokenEvent = Schema.decodeUnknownResult(AccessTokenEvent)
const decodeEndpointEvent = Schema.decodeUnknownResult(WebhookEndpointEvent)
const decodeMediaNodeEvent = Schema.decodeUnknownResult(MediaNodeEvent)
const decodeRecordingEvent = Schema.decodeUnknownResult(RecordingEvent)
const decodeAppSettingsEvent = Schema.decodeUnknownResult(AppSettingsEvent)
const decodeAppEvent = Schema.decodeUnknownResult(AppEvent)
const decodeRestreamEvent = Schema.decodeUnknownResult(RestreamEvent)

const accessCategories = (keyring: Keyring): Readonly<Record<string, AccessCategory>> => {
  const endpoints = endpointStates(keyring)
  const restreams = restreamStates(keyring)
  return {
    [ACCESS_TOKEN_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeTokenEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: event.tokenId, event })
        }),
      table: {
        table: "onair_access_tokens",
        evolve: AccessTokenDecider.evolve,
        decode: decodeAccessToken,
        encode: Schema.encodeSync(AccessToken),
        ordinal: false,
        columns: { account_id: "text", revoked: "boolean" },
        row: (state: AccessToken) => ({ account_id: state.accountId, revoked: state.revokedAt !== null })
      }
    },
    [RESTREAM_TARGET_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeRestreamEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: event.targetId, event })
        }),
      table: {
        table: "onair_restream_targets",
        evolve: RestreamDecider.evolve,
        decode: restreams.decode,
        encode: restreams.encode,
        ordinal: true,
        columns: {
          livestream_id: "text",
          account_id: "text",
          app_id: "text",
          relay: "text",
          session_id: "text",
          deleted: "boolean"
        },
        row: (state: RestreamTarget) => ({
          livestream_id: state.livestreamId,
          account_id: state.accountId,
          app_id: state.appId,
          relay: state.relay._tag,
          session_id: "sessionId" in state.relay ? state.relay.sessionId : null,
          deleted: state.deleted
        })
      }
    },
    [WEBHOOK_ENDPOINT_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeEndpointEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: event.endpointId, event })
        }),
      table: {
        table: "onair_webhook_endpoints",
        evolve: WebhookEndpointDecider.evolve,
        decode: endpoints.decode,
        encode: endpoints.encode,
        ordinal: true,
        columns: { account_id: "text", app_id: "text", deleted: "boolean" },
        row: (state: WebhookEndpoint) => ({ account_id: state.accountId, app_id: state.appId, deleted: state.deleted })
      }
    },
    [MEDIA_NODE_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeMediaNodeEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: event.nodeId, event })
        }),
      table: {
        table: "onair_media_nodes",
        evolve: MediaNodeDecider.evolve,
        decode: decodeMediaNode,
        encode: Schema.encodeSync(MediaNode),
        ordinal: false,
        columns: { status: "text" },
        row: (state: MediaNode) => ({ status: mediaNodeStatus(state) })
      }
    },
    [APP_SETTINGS_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeAppSettingsEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: `${event.accountId}.${event.appId}`, event })
        }),
      table: {
        table: "onair_app_settings",
        evolve: AppSettingsDecider.evolve,
        decode: decodeAppSettings,
        encode: Schema.encodeSync(AppSettings),
        ordinal: false,
        columns: { account_id: "text", app_id: "text", retention_days: "integer" },
        row: (state: AppSettings) => ({
          account_id: state.accountId,
          app_id: state.appId,
          retention_days: state.recordingRetentionDays
        })
      }
    },
    [APP_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeAppEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: `${event.accountId}.${event.appId}`, event })
        }),
      table: {
        table: "onair_apps",
        evolve: AppDecider.evolve,
        decode: decodeApp,
        encode: Schema.encodeSync(App),
        ordinal: true,
        columns: { account_id: "text", app_id: "text", name: "text", created_at: "timestamptz" },
        row: (state: App) => ({
          account_id: state.accountId,
          app_id: state.id,
          name: state.name,
          created_at: iso(state.createdAt)
        })
      }
    },
    [RECORDING_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeRecordingEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: event.recordingId, event })
        }),
      table: {
        table: "onair_recordings",
        evolve: RecordingDecider.evolve,
        decode: decodeRecording,
        encode: Schema.encodeSync(Recording),
        ordinal: true,
        columns: {
          livestream_id: "text",
          account_id: "text",
          app_id: "text",
          node_id: "text",
          phase: "text",
          deleted: "boolean",
          started_at: "timestamptz",
          duration_seconds: "double precision",
          stored: "text"
        },
        row: (state: Recording) => ({
          livestream_id: state.livestreamId,
          account_id: state.accountId,
          app_id: state.appId,
          node_id: state.nodeId,
          phase: state.phase._tag,
          deleted: state.deletedAt !== null,
          started_at: iso(state.startedAt),
          duration_seconds: state.phase._tag === "Ready" ? state.phase.assets.durationSeconds : null,
          stored: state.phase._tag === "Ready" ? (state.phase.storage._tag === "S3" ? "s3" : "local") : null
        })
      }
    }
  }
}

/** Aggregates folded between two yields to the event loop. */
const YIELD_EVERY = 32

/**
 * The stored states of every aggregate the batch touches, table by table, in one statement (a round trip
 * per table was most of a small batch's time).
 */
const loadStates = (touched: ReadonlyArray<readonly [table: string, ids: ReadonlyArray<string>]>) =>
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
const writeTable = <S>(
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

/**
 * The batch's meeting sessions: opened ones inserted (with their meeting's scope, written just before),
 * closed ones given their end.
 */
const writeMeetingSessions = (changes: ReadonlyArray<Change>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    for (const change of changes) {
      if (change.kind !== "meeting") continue
      const event = change.event
      if (event._tag === "MeetingSessionOpened") {
        yield* sql`
          INSERT INTO onair_meeting_sessions (meeting_session_id, meeting_id, account_id, app_id, opened_at)
          SELECT ${event.meetingSessionId}, id, account_id, app_id, ${iso(event.at)}::timestamptz
          FROM onair_meetings WHERE id = ${change.id}
          ON CONFLICT (meeting_session_id) DO NOTHING`
      } else if (event._tag === "MeetingSessionClosed") {
        yield* sql`
          UPDATE onair_meeting_sessions SET closed_at = ${iso(event.at)}::timestamptz
          WHERE meeting_session_id = ${event.meetingSessionId}`
      }
    }
  })

/** How long sampled health is kept, by the log's time (a rebuild keeps the same samples). */
export const HEALTH_HISTORY_DAYS = 7

/**
 * The batch's health samples, each with its publisher's session (from the ingest's row, written just
 * before); then the samples older than `HEALTH_HISTORY_DAYS` before the newest are dropped.
 */
const writeHealthSamples = (changes: ReadonlyArray<Change>) =>
  Effect.gen(function* () {
    const samples = changes.flatMap((change) =>
      change.kind === "ingest" && change.event._tag === "IngestHealthSampled"
        ? [
            {
              ingest_id: change.id,
              at: iso(change.event.at),
              width: change.event.health.width,
              height: change.event.health.height,
              video_bitrate: change.event.health.videoBitrate,
              audio_bitrate: change.event.health.audioBitrate,
              video_fps: change.event.health.videoFps,
              keyframe_interval: change.event.health.keyframeInterval ?? null
            }
          ]
        : []
    )
    if (samples.length === 0) return
    const sql = yield* SqlClient
    yield* sql`
      INSERT INTO onair_ingest_health (session_id, at, ingest_id, width, height, video_bitrate, audio_bitrate, video_fps, keyframe_interval)
      SELECT i.state->'verdict'->>'sessionId', s.at, s.ingest_id, s.width, s.height, s.video_bitrate, s.audio_bitrate, s.video_fps,
        s.keyframe_interval
      FROM jsonb_to_recordset(${JSON.stringify(samples)}::jsonb)
        AS s(ingest_id text, at timestamptz, width integer, height integer, video_bitrate double precision,
          audio_bitrate double precision, video_fps double precision, keyframe_interval double precision)
      JOIN onair_ingests i ON i.id = s.ingest_id
      WHERE i.state->'verdict'->>'sessionId' IS NOT NULL
      ON CONFLICT DO NOTHING`
    const newest = samples.reduce((latest, sample) => (sample.at > latest ? sample.at : latest), samples[0]!.at)
    yield* sql`
      DELETE FROM onair_ingest_health
      WHERE at < ${newest}::timestamptz - make_interval(days => ${HEALTH_HISTORY_DAYS})`
  })

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
