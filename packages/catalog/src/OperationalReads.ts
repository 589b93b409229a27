/**
 * What operators watch, read from the catalog when `/metrics` is scraped: livestreams per status (from the
 * kept counts, no scan), and the publishers connected now with their latest health (the connected-ingest
 * index), at most `MAX_CONNECTED` of them so a scrape stays bounded however many broadcasts run.
 */
import type { LivestreamId, LivestreamStatus, SessionId } from "@onair/core"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { decodeIngest } from "./CatalogStates.ts"

/** Connected publishers a scrape reports one by one. */
export const MAX_CONNECTED = 10_000

export interface ConnectedPublisher {
  readonly livestreamId: LivestreamId
  readonly sessionId: SessionId
  /** Bits per second, as last sampled (0 before the first sample). */
  readonly videoBitrate: number
  readonly audioBitrate: number
  readonly videoFps: number
}

export class OperationalReads extends Context.Service<
  OperationalReads,
  {
    /** Livestreams (deleted ones excepted) per status, over every account and app. */
    readonly livestreamsByStatus: Effect.Effect<ReadonlyMap<LivestreamStatus, number>>
    /** The publishers connected now, up to `MAX_CONNECTED`. */
    readonly connectedPublishers: Effect.Effect<ReadonlyArray<ConnectedPublisher>>
  }
>()("@onair/catalog/OperationalReads") {
  static readonly make = Effect.gen(function* () {
    const sql = yield* SqlClient
    const livestreamsByStatus = Effect.map(
      Effect.orDie(sql<{ status: LivestreamStatus; total: unknown }>`
        SELECT status, coalesce(sum(livestreams), 0) AS total FROM onair_livestream_counts GROUP BY status`),
      (rows) => new Map(rows.map((row) => [row.status, Number(row.total)] as const))
    )
    const connectedPublishers = Effect.map(
      Effect.orDie(sql<{ state: unknown }>`SELECT state FROM onair_ingests WHERE connected LIMIT ${MAX_CONNECTED}`),
      (rows) =>
        rows.flatMap((row): ReadonlyArray<ConnectedPublisher> => {
          const ingest = decodeIngest(row.state)
          if (ingest.verdict._tag !== "Accepted") return []
          return [
            {
              livestreamId: ingest.verdict.livestreamId,
              sessionId: ingest.verdict.sessionId,
              videoBitrate: ingest.health?.videoBitrate ?? 0,
              audioBitrate: ingest.health?.audioBitrate ?? 0,
              videoFps: ingest.health?.videoFps ?? 0
            }
          ]
        })
    )
    return OperationalReads.of({ livestreamsByStatus, connectedPublishers })
  })

  static readonly layer = Layer.effect(OperationalReads, OperationalReads.make)
}
