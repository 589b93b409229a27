/** Sampled publisher health kept per session for a week of the log's time. */
import type { Change } from "@onair/core"
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { iso } from "./AggregateTable.ts"

/** How long sampled health is kept, by the log's time (a rebuild keeps the same samples). */
export const HEALTH_HISTORY_DAYS = 7

/**
 * The batch's health samples, each with its publisher's session (from the ingest's row, written just
 * before); then the samples older than `HEALTH_HISTORY_DAYS` before the newest are dropped.
 */
export const writeHealthSamples = (changes: ReadonlyArray<Change>) =>
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
