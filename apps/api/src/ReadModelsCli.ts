/**
 * `onair read-models rebuild`: forgets the catalog's SQL read models and replays the whole log into them
 * (each in one pass, holding its projection's lease, so it waits for a running main job's runner to let go;
 * on the embedded database the main job must be stopped first, as it holds the database).
 */
import { CatalogMigrations, CatalogTables } from "@onair/catalog"
import { Projection } from "@onair/event-store"
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { onDatabase } from "./OnDatabase.ts"

export const USAGE = "usage: onair read-models rebuild"

export const parse = (args: ReadonlyArray<string>): "rebuild" | string =>
  args.length === 1 && args[0] === "rebuild" ? "rebuild" : `unknown command ${args.join(" ") || "(none)"}`

export const run = onDatabase(
  Effect.gen(function* () {
    yield* CatalogMigrations.run
    const reached = yield* Projection.rebuild(CatalogTables.projection)
    const sql = yield* SqlClient
    const [rows] = yield* sql<{ livestreams: number; sessions: number; meetings: number }>`
    SELECT (SELECT count(*)::int FROM onair_livestreams) AS livestreams, (SELECT count(*)::int FROM onair_sessions) AS sessions,
      (SELECT count(*)::int FROM onair_meetings) AS meetings`
    return (
      `${CatalogTables.PROJECTION}: ${rows?.livestreams ?? 0} livestreams, ${rows?.sessions ?? 0} sessions, ` +
      `${rows?.meetings ?? 0} meetings, rebuilt up to ${reached.transaction}.${reached.sequence}`
    )
  })
)
