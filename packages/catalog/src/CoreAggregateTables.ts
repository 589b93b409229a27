/**
 * The tables of the core's workflow aggregates (livestreams, sessions, ingests, meetings), keyed by the
 * aggregate kind a domain event's stream names. A livestream row's `next_timer_at` is the earliest of its
 * broadcast's timers, and any change to the livestream frees a timer worker's claim on it.
 */
import {
  type AggregateKind,
  Ingest,
  IngestDecider,
  isConnected,
  isSettled,
  type Livestream,
  LivestreamDecider,
  Meeting,
  MeetingDecider,
  nextTimerAt,
  Session,
  SessionDecider,
  status
} from "@onair/core"
import type { Keyring } from "@onair/event-store"
import { Schema } from "effect"
import { type AggregateTable, iso, isoOrNull } from "./AggregateTable.ts"
import { decodeIngest, decodeMeeting, decodeSession, livestreamStates } from "./CatalogStates.ts"
import { countLivestreams, countSessionDays } from "./CatalogTotals.ts"

// biome-ignore lint/suspicious/noExplicitAny: a table of every aggregate's kind: TypeScript has no existential type, and each entry is typed where it is made
export const tablesFor = (keyring: Keyring): { readonly [K in AggregateKind]: AggregateTable<any> } => {
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
        previous_stream_key: "text",
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
        previous_stream_key: state.previousKey === null ? null : livestreams.digest(state.previousKey.streamKey),
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
