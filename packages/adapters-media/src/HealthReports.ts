/**
 * Reports each live connection's health (resolution, codecs, bitrates, fps) from nginx's `/stat`, and keeps
 * its bitrate for the node's load.
 */
import { Effect } from "effect"
import { MediaControl } from "./MediaControl.ts"
import * as NginxStat from "./NginxStat.ts"
import { RunningNginx } from "./RunningNginx.ts"

export const reportHealth = Effect.gen(function*() {
  const nginx = yield* RunningNginx
  const control = yield* MediaControl
  const instance = nginx.instance()
  if (instance === null || nginx.connections.size === 0) return
  const streams = yield* NginxStat.read(instance.controlUrl).pipe(
    Effect.catch((error) => Effect.as(Effect.logWarning(`media: ${String(error)}`), []))
  )
  for (const stream of streams) {
    const connection = stream.publisherClientId === null ? undefined : nginx.connections.get(stream.publisherClientId)
    // Until nginx has read the stream's metadata there is nothing to report.
    if (connection === undefined || connection.sessionId !== stream.name || stream.health.width === 0) continue
    connection.bitrate = stream.health.videoBitrate + stream.health.audioBitrate
    yield* control.reportHealth(connection.ingestId, stream.health).pipe(
      Effect.catch((error) => Effect.logWarning(`media: health of ${connection.ingestId} not reported: ${error.message}`))
    )
  }
})
