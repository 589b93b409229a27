/**
 * What the media node knows of its media server now: which nginx runs (or none), the publishers the
 * control plane accepted on it, and this boot of the node. Everything it learns goes to the control plane
 * through `MediaControl`; the jobs around it each live in their own module: `Publishing` (nginx's
 * callbacks), `Enforcement` (drops), `ManifestReports`, `HealthReports`, `HlsSweep` and `MediaLoss`.
 */
import type { IngestId, LatencyMode, LivestreamId, RenditionLadder, SessionId } from "@onair/core"
import { Context, Effect, Layer } from "effect"
import { type Connection, Connections } from "./Connections.ts"
import { MediaControl } from "../protocol/MediaControl.ts"
import type { NginxInstance } from "./NginxProcess.ts"

/**
 * A publish through one of the node's bridges (WHIP), accepted by the control plane before the bridge
 * pushed to nginx: the `gateway` server's `on_publish` turns it into a connection.
 */
export interface BridgedPublish {
  readonly ingestId: IngestId
  readonly livestreamId: LivestreamId
  readonly sessionId: SessionId
  readonly renditions: RenditionLadder
  readonly latencyMode: LatencyMode
  readonly dvrWindowSeconds: number
  readonly slateImageUrl: string | null
  /** The nginx run it was accepted for: a push into another run is not it. */
  readonly nginxRun: string
  /**
   * What the bridge's push carries (its `gw` argument): made for this publish and taken once. It is in
   * ffmpeg's arguments, which local users can list, so it admits nothing but this publish, and only until
   * it is pushed.
   */
  readonly token: string
  /** Set when nginx took the bridge's push: from then on nginx reports its end. */
  pushed: boolean
}

export class RunningNginx extends Context.Service<
  RunningNginx,
  {
    /** This run of the node's agent (its registration's boot id). */
    readonly bootId: string
    /** The nginx that runs now, or null. */
    readonly instance: () => NginxInstance | null
    /** Whether `instanceId` is the nginx that runs now (a callback of an earlier one is not). */
    readonly isCurrent: (instanceId: string) => boolean
    /** The publishers the control plane accepted on the running nginx. */
    readonly connections: Connections
    /**
     * Ends of connections the control plane could not be told of yet (it was unreachable): told again by
     * the enforcement loop until it takes them, whichever nginx runs meanwhile.
     */
    readonly untoldEnds: Set<IngestId>
    /** Bridged publishes by session id, from their acceptance until the bridge ends. */
    readonly bridged: Map<SessionId, BridgedPublish>
    /** Where nginx writes HLS: one folder per session. */
    readonly hlsDir: string
    /** nginx `instance` runs now and accepts publishers; it has none yet. */
    readonly started: (instance: NginxInstance) => Effect.Effect<void>
    /** No nginx runs any more: its late callbacks are refused from now on. */
    readonly stopped: Effect.Effect<void>
    /** Whether the livestream of `connection` still has it as its publisher (false when that is unknown). */
    readonly entitled: (connection: Pick<Connection, "livestreamId" | "ingestId">) => Effect.Effect<boolean>
  }
>()("@onair/adapters-media/RunningNginx") {
  static readonly make = (hlsDir: string, bootId: string) =>
    Effect.gen(function* () {
      const control = yield* MediaControl
      const connections = new Connections()
      let running: NginxInstance | null = null
      return RunningNginx.of({
        bootId,
        instance: () => running,
        isCurrent: (instanceId) => running !== null && running.id === instanceId,
        connections,
        untoldEnds: new Set(),
        bridged: new Map(),
        hlsDir,
        started: (instance) =>
          Effect.sync(() => {
            running = instance
            connections.clear()
          }),
        stopped: Effect.sync(() => {
          running = null
          connections.clear()
        }),
        entitled: (connection) =>
          control.entitled([connection]).pipe(
            Effect.map((still) => still.includes(connection.ingestId)),
            // Without an answer the publisher goes on: an outage of the control plane drops no broadcast.
            Effect.orElseSucceed(() => true)
          )
      })
    })

  static readonly layer = (hlsDir: string, bootId: string) =>
    Layer.effect(RunningNginx, RunningNginx.make(hlsDir, bootId))
}
