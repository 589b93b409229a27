/**
 * Drops every publisher whose livestream no longer has it (disabled, stopped, deleted, maximum duration
 * reached), through nginx's control endpoint on the publisher's own ingest server. The control plane
 * refuses the key first, so the encoder cannot come back. One question to the control plane covers every
 * connection of the node. Ends the control plane missed while it was unreachable are told first.
 */
import { Effect } from "effect"
import type { Connection } from "./Connections.ts"
import { MediaControl } from "../protocol/MediaControl.ts"
import { INGEST_SERVERS, PUBLISH_APP } from "./NginxConfig.ts"
import type { NginxInstance } from "./NginxProcess.ts"
import { RunningNginx } from "./RunningNginx.ts"

const dropUrl = (instance: NginxInstance, connection: Connection) =>
  `${instance.controlUrl}/control/drop/client?srv=${INGEST_SERVERS.indexOf(connection.server)}&app=${PUBLISH_APP}` +
  `&name=${connection.sessionId}&clientid=${connection.clientId}`

/** Tells the control plane the connection ends it could not be told of before. */
const tellEnds = Effect.gen(function* () {
  const nginx = yield* RunningNginx
  const control = yield* MediaControl
  for (const ingestId of [...nginx.untoldEnds]) {
    const told = yield* control.publishDone(ingestId).pipe(
      Effect.as(true),
      Effect.orElseSucceed(() => false)
    )
    if (!told) return
    nginx.untoldEnds.delete(ingestId)
  }
})

export const enforce = Effect.gen(function* () {
  const nginx = yield* RunningNginx
  const control = yield* MediaControl
  yield* tellEnds
  const instance = nginx.instance()
  if (instance === null) return
  const asked = nginx.connections.all().filter((connection) => !connection.dropRequested)
  if (asked.length === 0) return
  const entitled = yield* control
    .entitled(asked.map(({ ingestId, livestreamId }) => ({ ingestId, livestreamId })))
    .pipe(
      // Without an answer nobody is dropped: an outage of the control plane ends no broadcast.
      Effect.catch(() => Effect.succeed(undefined))
    )
  if (entitled === undefined) return
  const still = new Set(entitled)
  for (const connection of asked) {
    if (still.has(connection.ingestId)) continue
    connection.dropRequested = true
    yield* Effect.tryPromise((signal) => fetch(dropUrl(instance, connection), { signal })).pipe(
      Effect.timeout("2 seconds"),
      Effect.tapError(() => Effect.sync(() => (connection.dropRequested = false))),
      Effect.catch((error) => Effect.logWarning(`media: could not drop ${connection.ingestId}: ${String(error)}`))
    )
  }
})
