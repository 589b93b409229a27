/**
 * The publishers the running nginx has, as the control plane accepted them: nginx's client id to the
 * ingest (named by the control plane: node, boot, nginx run and client id, so it names one connection for
 * good), the livestream and the session (whose id is the stream's name inside nginx after the publish
 * redirect). Held in memory: a new nginx starts with none, and a lost nginx's connections are ended by the
 * control plane.
 */
import type { IngestId, LatencyMode, LivestreamId, RenditionLadder, SessionId } from "@onair/core"
import type { IngestServer } from "./NginxConfig.ts"

/**
 * How long after a publish its first health is looked for every quarter second: an encoder sends its
 * metadata at once; one that sends none (no video) is left to the regular reports, so /stat is not read
 * four times a second for ever.
 */
export const FIRST_HEALTH_MILLIS = 10_000

/**
 * How long after its acceptance a connection must be in nginx's `/stat`: one that is not was closed while
 * its publish was being decided, and nginx reports no end for a publish it never started.
 */
export const PUBLISH_STARTED_MILLIS = 3_000

export interface Connection {
  readonly clientId: string
  readonly ingestId: IngestId
  readonly livestreamId: LivestreamId
  readonly sessionId: SessionId
  /** The ingest server (way in) the publisher came through. */
  readonly server: IngestServer
  /** The livestream's adaptive ladder when it was accepted (empty: the source alone). */
  readonly renditions: RenditionLadder
  /** How its viewers watch: `low` and `realtime` are packaged for low-latency HLS (`Packagers`). */
  readonly latencyMode: LatencyMode
  /** How far back its players may seek (0: off); a DVR window is packaged too (`Packagers`). */
  readonly dvrWindowSeconds: number
  /** Its app's slate image (null: OnAir's own), for a packaged broadcast. */
  readonly slateImageUrl: string | null
  /** The source's size, rate and whether it has audio, from its first health; null before. */
  source: { readonly width: number; readonly height: number; readonly fps: number; readonly audio: boolean } | null
  /** Set once its ladder was refused (no CPU budget): its source is served alone. */
  renditionsRefused: boolean
  /** Set once nginx's relay of it reached the `hls` application: no second relay is taken. */
  relayed: boolean
  /** Set once the first playlist was reported, so it is not looked for again. */
  manifestReported: boolean
  /** Set once its health was first reported (resolution and codecs known): it is looked for often until then. */
  healthReported: boolean
  /** When the control plane accepted it (epoch ms). */
  readonly acceptedAt: number
  /** Until when (epoch ms) its first health is looked for often; after that, with the regular reports only. */
  readonly firstHealthUntil: number
  /** Set once OnAir asked nginx to drop it. */
  dropRequested: boolean
  /** Its bits per second at the last health sample. */
  bitrate: number
}

export class Connections {
  private readonly byClient = new Map<string, Connection>()

  add(
    connection: Omit<
      Connection,
      | "relayed"
      | "manifestReported"
      | "healthReported"
      | "dropRequested"
      | "bitrate"
      | "acceptedAt"
      | "firstHealthUntil"
      | "source"
      | "renditionsRefused"
    >,
    now: number
  ): void {
    this.byClient.set(connection.clientId, {
      ...connection,
      relayed: false,
      manifestReported: false,
      healthReported: false,
      acceptedAt: now,
      firstHealthUntil: now + FIRST_HEALTH_MILLIS,
      dropRequested: false,
      bitrate: 0,
      source: null,
      renditionsRefused: false
    })
  }

  remove(clientId: string): Connection | undefined {
    const connection = this.byClient.get(clientId)
    this.byClient.delete(clientId)
    return connection
  }

  get(clientId: string): Connection | undefined {
    return this.byClient.get(clientId)
  }

  /** The connection whose stream (after the publish redirect) is named for `sessionId`. */
  bySession(sessionId: string | undefined): Connection | undefined {
    for (const connection of this.byClient.values()) if (connection.sessionId === sessionId) return connection
    return undefined
  }

  all(): ReadonlyArray<Connection> {
    return [...this.byClient.values()]
  }

  clear(): void {
    this.byClient.clear()
  }

  get size(): number {
    return this.byClient.size
  }
}
