/**
 * The media server is gone (or was never this OnAir's: start-up): every connection it had, and every one
 * the catalog holds as publishing, is over, and its broadcast ends with `internal error`.
 */
import { CatalogReads } from "@onair/catalog"
import type { IngestId } from "@onair/core"
import { Effect } from "effect"
import { now, RunningNginx } from "./RunningNginx.ts"

export const lost = (message: string) =>
  Effect.gen(function*() {
    const nginx = yield* RunningNginx
    const catalog = yield* CatalogReads
    const ids = new Set<IngestId>(nginx.connections.all().map((connection) => connection.ingestId))
    for (const ingest of yield* catalog.connectedIngests) ids.add(ingest.id)
    // From here on the old nginx's late callbacks are refused: its id is no longer the running one.
    yield* nginx.stopped
    const at = yield* now
    for (const ingestId of ids) {
      yield* nginx.send({ _tag: "ReportMediaLost", at, ingestId, message }, `media:${ingestId}:lost`, [
        "IngestAlreadyDisconnected",
        "IngestNotFound"
      ])
    }
    if (ids.size > 0) yield* Effect.logWarning(`media: ${ids.size} connection(s) ended: ${message}`)
  })
