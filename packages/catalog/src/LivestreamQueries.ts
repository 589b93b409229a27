/**
 * Livestreams in the catalog: one by id (cached), the ones holding SRT ports, those a node composes, and an app's pages with the
 * API's filters (cached per filter, counted from the kept totals when unfiltered).
 */
import type { Livestream, LivestreamId } from "@onair/core"
import { Effect } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import * as CatalogCache from "./CatalogCache.ts"
import { all, iso, type LivestreamFilter, offsetOf, one, type Page, type Scope } from "./CatalogQueries.ts"

export const livestreamQueries = (
  sql: SqlClient,
  cache: CatalogCache.CatalogCache,
  decodeLivestream: (state: unknown) => Livestream
) => {
  const livestreamById = (id: LivestreamId) =>
    cache.through(
      `livestream:${id}`,
      id,
      one(sql<{ state: unknown }>`SELECT state FROM onair_livestreams WHERE id = ${id}`, decodeLivestream)
    )

  const srtLivestreams = all(
    sql<{ state: unknown }>`
      SELECT state FROM onair_livestreams
      WHERE state->>'srtPort' IS NOT NULL AND NOT deleted
      ORDER BY (state->>'srtPort')::integer`,
    decodeLivestream
  )

  /** The livestreams whose composer runs on `nodeId`, with a broadcast invoked or open: a node's handful. */
  const composersOn = (nodeId: string) =>
    all(
      sql<{ state: unknown }>`
        SELECT state FROM onair_livestreams
        WHERE state->'composer'->>'node' = ${nodeId} AND NOT deleted
          AND state->'broadcast'->>'_tag' IN ('Invoked', 'Connected', 'Reconnecting')
        ORDER BY created_at, ordinal`,
      decodeLivestream
    )

  const livestreams = (scope: Scope, filter: LivestreamFilter) => {
    const where = sql.and([
      sql`account_id = ${scope.accountId}`,
      sql`app_id = ${scope.appId}`,
      sql`NOT deleted`,
      ...(filter.status === undefined ? [] : [sql`status = ${filter.status}`]),
      ...(filter.excludeMeetings ? [sql`meeting_id IS NULL`] : []),
      ...(filter.from === undefined ? [] : [sql`created_at >= ${iso(filter.from)}::timestamptz`]),
      ...(filter.to === undefined ? [] : [sql`created_at <= ${iso(filter.to)}::timestamptz`]),
      ...(filter.search === undefined || filter.search === ""
        ? []
        : [sql`(id = ${filter.search} OR strpos(lower(state->>'name'), lower(${filter.search})) > 0)`])
    ])
    const order =
      filter.order === "ASC" ? sql.literal("created_at ASC, ordinal ASC") : sql.literal("created_at DESC, ordinal DESC")
    const pageOf = sql<{ state: unknown }>`
      SELECT state FROM onair_livestreams WHERE ${where} ORDER BY ${order} LIMIT ${filter.perPage} OFFSET ${offsetOf(filter)}`
    // An app's total (or its total in one status) is kept counted; other filters count their matches.
    const counted =
      filter.excludeMeetings === false &&
      filter.from === undefined &&
      filter.to === undefined &&
      (filter.search === undefined || filter.search === "")
    const total = counted
      ? sql<{ total: unknown }>`
        SELECT coalesce(sum(livestreams), 0) AS total FROM onair_livestream_counts
        WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId}
          ${filter.status === undefined ? sql.literal("") : sql`AND status = ${filter.status}`}`
      : sql<{ total: unknown }>`SELECT count(*) AS total FROM onair_livestreams WHERE ${where}`
    const key = `livestreams:${scope.accountId}/${scope.appId}:${JSON.stringify(filter)}`
    const read = Effect.orDie(
      Effect.map(
        Effect.all([pageOf, total]),
        ([rows, totals]): Page<Livestream> => ({
          items: rows.map((row) => decodeLivestream(row.state)),
          total: Number(totals[0]?.total ?? 0)
        })
      )
    )
    return Effect.map(cache.through(key, CatalogCache.LISTS, read), (found) => found ?? { items: [], total: 0 })
  }

  return { livestreamById, srtLivestreams, composersOn, livestreams }
}
