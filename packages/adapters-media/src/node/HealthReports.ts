/**
 * Reports each live connection's health (resolution, codecs, bitrates, fps from nginx's `/stat`; the
 * keyframe interval from its HLS segments; the renditions its ladder serves), and keeps its bitrate for
 * the node's load and its source's size for its ladder. A new connection's
 * first health is looked for every quarter second for its first 10 s (`reportFirstHealth`), so its resolution and codecs are
 * known as soon as the encoder's metadata arrives: before its first playlist, which the master playlist
 * names them in. Then every `updateSeconds` (`reportHealth`).
 */
import type { IngestHealth, Rendition, SessionId } from "@onair/core"
import { Clock, Effect } from "effect"
import { type Connection, PUBLISH_STARTED_MILLIS } from "./Connections.ts"
import type { KeyframeIntervals } from "./KeyframeIntervals.ts"
import { MediaControl } from "../protocol/MediaControl.ts"
import * as NginxStat from "./NginxStat.ts"
import { RunningNginx } from "./RunningNginx.ts"

/**
 * Ends the connections nginx does not have: a publisher that closed while its publish was being decided
 * never started publishing, so nginx sends no `on_publish_done` for it, and its session would wait for
 * ever. A connection gets `PUBLISH_STARTED_MILLIS` to show up in `/stat`.
 */
const endVanished = (streams: ReadonlyArray<NginxStat.StreamStat>, now: number) =>
  Effect.gen(function* () {
    const nginx = yield* RunningNginx
    const control = yield* MediaControl
    const present = new Set(streams.map((stream) => stream.publisherClientId))
    for (const connection of nginx.connections.all()) {
      if (present.has(connection.clientId) || now - connection.acceptedAt < PUBLISH_STARTED_MILLIS) continue
      nginx.connections.remove(connection.clientId)
      yield* Effect.logWarning(`media: ${connection.ingestId} closed before its publish started; it ends now`)
      yield* control
        .publishDone(connection.ingestId)
        .pipe(Effect.catch(() => Effect.sync(() => nginx.untoldEnds.add(connection.ingestId))))
    }
  })

/** Reports the health of every connection, or (`onlyFirst`) of those whose health was never reported. */
/** Where a session's variants (its adaptive ladder) are read from. */
export interface Variants {
  readonly renditionsOf: (sessionId: SessionId, health: IngestHealth) => ReadonlyArray<Rendition>
}

const report = (keyframes: KeyframeIntervals, ladders: Variants, onlyFirst: boolean) =>
  Effect.gen(function* () {
    const nginx = yield* RunningNginx
    const control = yield* MediaControl
    const instance = nginx.instance()
    if (instance === null || nginx.connections.size === 0) return
    const now = yield* Clock.currentTimeMillis
    const waiting = (connection: Connection) => !connection.healthReported && now < connection.firstHealthUntil
    if (onlyFirst && !nginx.connections.all().some(waiting)) return
    const read = yield* NginxStat.read(instance.controlUrl).pipe(
      Effect.map((streams): ReadonlyArray<NginxStat.StreamStat> | undefined => streams),
      // The quarter-second look stays quiet: the regular report says when /stat fails.
      Effect.catch((error) =>
        Effect.as(onlyFirst ? Effect.void : Effect.logWarning(`media: ${String(error)}`), undefined)
      )
    )
    // Without an answer from /stat nothing is known to be gone.
    if (read === undefined) return
    const streams = read
    yield* endVanished(streams, now)
    for (const stream of streams) {
      const connection = stream.publisherClientId === null ? undefined : nginx.connections.get(stream.publisherClientId)
      // Until nginx has read the stream's metadata there is nothing to report.
      if (connection === undefined || connection.sessionId !== stream.name || stream.health.width === 0) continue
      if (onlyFirst && !waiting(connection)) continue
      connection.bitrate = stream.health.videoBitrate + stream.health.audioBitrate
      connection.source ??= {
        width: stream.health.width,
        height: stream.health.height,
        fps: stream.health.videoFps,
        audio: stream.health.audioCodecId !== ""
      }
      // No segment exists yet for a first report: the keyframe interval comes with the regular ones.
      const keyframeInterval = onlyFirst ? undefined : yield* keyframes.of(connection.sessionId)
      const renditions = ladders.renditionsOf(connection.sessionId, stream.health)
      const health = {
        ...stream.health,
        renditions,
        ...(keyframeInterval === undefined ? {} : { keyframeInterval })
      }
      yield* control.reportHealth(connection.ingestId, health).pipe(
        Effect.andThen(Effect.sync(() => (connection.healthReported = true))),
        Effect.catch((error) =>
          Effect.logWarning(`media: health of ${connection.ingestId} not reported: ${error.message}`)
        )
      )
    }
  })

/** Every connection's health (every `updateSeconds`). */
export const reportHealth = (keyframes: KeyframeIntervals, ladders: Variants) => report(keyframes, ladders, false)

/** The first health of connections that have none yet (every quarter second: a /stat read only while one waits). */
export const reportFirstHealth = (keyframes: KeyframeIntervals, ladders: Variants) => report(keyframes, ladders, true)
