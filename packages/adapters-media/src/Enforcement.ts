/**
 * Drops every publisher whose livestream no longer has it (disabled, stopped, deleted, maximum duration
 * reached), through nginx's control endpoint on the publisher's own ingest server. The core refuses the
 * key first, so the encoder cannot come back.
 */
import { Effect } from "effect"
import type { Connection } from "./Connections.ts"
import { INGEST_SERVERS, PUBLISH_APP } from "./NginxConfig.ts"
import type { NginxInstance } from "./NginxProcess.ts"
import { RunningNginx } from "./RunningNginx.ts"

const dropUrl = (instance: NginxInstance, connection: Connection) =>
  `${instance.controlUrl}/control/drop/client?srv=${INGEST_SERVERS.indexOf(connection.server)}&app=${PUBLISH_APP}` +
  `&name=${connection.sessionId}&clientid=${connection.clientId}`

export const enforce = Effect.gen(function*() {
  const nginx = yield* RunningNginx
  const instance = nginx.instance()
  if (instance === null) return
  for (const connection of nginx.connections.all()) {
    if (connection.dropRequested || (yield* nginx.entitled(connection))) continue
    connection.dropRequested = true
    yield* Effect.tryPromise((signal) => fetch(dropUrl(instance, connection), { signal })).pipe(
      Effect.timeout("2 seconds"),
      Effect.tapError(() => Effect.sync(() => (connection.dropRequested = false))),
      Effect.catch((error) => Effect.logWarning(`media: could not drop ${connection.ingestId}: ${String(error)}`))
    )
  }
})
