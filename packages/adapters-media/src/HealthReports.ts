/** Reports each live connection's health (resolution, codecs, bitrates, fps) from nginx's `/stat`. */
import { Effect } from "effect"
import * as NginxStat from "./NginxStat.ts"
import { now, RunningNginx } from "./RunningNginx.ts"

export const reportHealth = Effect.gen(function*() {
  const nginx = yield* RunningNginx
  const instance = nginx.instance()
  if (instance === null || nginx.connections.size === 0) return
  const streams = yield* NginxStat.read(instance.controlUrl).pipe(
    Effect.catch((error) => Effect.as(Effect.logWarning(`media: ${String(error)}`), []))
  )
  const at = yield* now
  for (const stream of streams) {
    const connection = stream.publisherClientId === null ? undefined : nginx.connections.get(stream.publisherClientId)
    // Until nginx has read the stream's metadata there is nothing to report.
    if (connection === undefined || connection.sessionId !== stream.name || stream.health.width === 0) continue
    yield* nginx.send(
      { _tag: "ReportHealth", at, ingestId: connection.ingestId, health: stream.health },
      // One sample per connection and instant.
      `media:${connection.ingestId}:health:${at}`,
      ["IngestNotConnected"]
    )
  }
})
