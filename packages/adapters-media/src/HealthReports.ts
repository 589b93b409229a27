/**
 * Reports each live connection's health (resolution, codecs, bitrates, fps from nginx's `/stat`; the
 * keyframe interval from its HLS segments), and keeps its bitrate for the node's load.
 */
import { Effect } from "effect"
import type { KeyframeIntervals } from "./KeyframeIntervals.ts"
import { MediaControl } from "./MediaControl.ts"
import * as NginxStat from "./NginxStat.ts"
import { RunningNginx } from "./RunningNginx.ts"

export const reportHealth = (keyframes: KeyframeIntervals) => Effect.gen(function*() {
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
    const keyframeInterval = yield* keyframes.of(connection.sessionId)
    const health = keyframeInterval === undefined ? stream.health : { ...stream.health, keyframeInterval }
    yield* control.reportHealth(connection.ingestId, health).pipe(
      Effect.catch((error) => Effect.logWarning(`media: health of ${connection.ingestId} not reported: ${error.message}`))
    )
  }
})
