/**
 * A session's sampled health over time, for its chart: in time order, thinned evenly to at most `limit`
 * points (every k-th counted back from the newest, which is always kept) so a long session answers in one
 * bounded page.
 */
import type { SessionId } from "@onair/core"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"

export interface HealthSample {
  /** Epoch ms. */
  readonly at: number
  readonly width: number
  readonly height: number
  /** Bits per second. */
  readonly videoBitrate: number
  readonly audioBitrate: number
  readonly videoFps: number
  /** Seconds between keyframes, once the node measured it. */
  readonly keyframeInterval: number | null
}

export class HealthHistoryReads extends Context.Service<
  HealthHistoryReads,
  {
    readonly samples: (sessionId: SessionId, limit: number) => Effect.Effect<ReadonlyArray<HealthSample>>
  }
>()("@onair/catalog/HealthHistoryReads") {
  static readonly make = Effect.gen(function* () {
    const sql = yield* SqlClient
    const samples = (sessionId: SessionId, limit: number) =>
      Effect.map(
        Effect.orDie(sql<{
          at_ms: unknown
          width: number
          height: number
          video_bitrate: unknown
          audio_bitrate: unknown
          video_fps: unknown
          keyframe_interval: unknown
        }>`
          SELECT (extract(epoch FROM at) * 1000)::bigint AS at_ms, width, height, video_bitrate, audio_bitrate, video_fps,
            keyframe_interval
          FROM (
            SELECT *, row_number() OVER (ORDER BY at) AS n, count(*) OVER () AS total
            FROM onair_ingest_health WHERE session_id = ${sessionId}
          ) AS s
          WHERE (total - n) % greatest(1, ceil(total::numeric / ${limit})::bigint) = 0
          ORDER BY at`),
        (rows) =>
          rows.map((row) => ({
            at: Number(row.at_ms),
            width: row.width,
            height: row.height,
            videoBitrate: Number(row.video_bitrate),
            audioBitrate: Number(row.audio_bitrate),
            videoFps: Number(row.video_fps),
            keyframeInterval: row.keyframe_interval === null ? null : Number(row.keyframe_interval)
          }))
      )
    return HealthHistoryReads.of({ samples })
  })

  static readonly layer = Layer.effect(HealthHistoryReads, HealthHistoryReads.make)
}
