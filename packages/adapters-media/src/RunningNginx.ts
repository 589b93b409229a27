/**
 * What OnAir knows of the media server now: which nginx runs (or none), the publishers it accepted on it,
 * and the one way every media job records what happened: a core signal through the command path, answered
 * once the catalog has it. The jobs around it each live in their own module: `Publishing` (nginx's
 * callbacks), `Enforcement` (drops), `ManifestReports`, `HealthReports`, `HlsSweep` and `MediaLoss`.
 */
import { awaitReadModel, CommandHandler } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { type IngestSignal, originMetadata, Timestamp } from "@onair/core"
import { Clock, Context, Effect, Layer } from "effect"
import { type Connection, Connections } from "./Connections.ts"
import type { NginxInstance } from "./NginxProcess.ts"

const ACTOR = "system:media"

export const now = Effect.map(Clock.currentTimeMillis, (millis) => Timestamp.make(millis))

export class RunningNginx extends Context.Service<RunningNginx, {
  /** The nginx that runs now, or null. */
  readonly instance: () => NginxInstance | null
  /** Whether `instanceId` is the nginx that runs now (a callback of an earlier one is not). */
  readonly isCurrent: (instanceId: string) => boolean
  /** The publishers OnAir accepted on the running nginx. */
  readonly connections: Connections
  /** Where nginx writes HLS: one folder per session. */
  readonly hlsDir: string
  /** nginx `instance` runs now and accepts publishers; it has none yet. */
  readonly started: (instance: NginxInstance) => Effect.Effect<void>
  /** No nginx runs any more: its late callbacks are refused from now on. */
  readonly stopped: Effect.Effect<void>
  /**
   * Sends a signal and waits until the catalog has it; false when it was not recorded (a refusal other
   * than the ones `expected` names is logged).
   */
  readonly send: (signal: IngestSignal, commandId: string, expected?: ReadonlyArray<string>) => Effect.Effect<boolean>
  /** Whether the livestream of `connection` still has it as its publisher. */
  readonly entitled: (connection: Pick<Connection, "livestreamId" | "ingestId">) => Effect.Effect<boolean>
}>()("@onair/adapters-media/RunningNginx") {
  static readonly make = (hlsDir: string) =>
    Effect.gen(function*() {
      const commands = yield* CommandHandler
      const catalog = yield* CatalogReads
      const connections = new Connections()
      let running: NginxInstance | null = null
      return RunningNginx.of({
        instance: () => running,
        isCurrent: (instanceId) => running !== null && running.id === instanceId,
        connections,
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
        send: (signal, commandId, expected = []) =>
          commands.handle(signal, originMetadata(commandId, ACTOR, signal.at)).pipe(
            awaitReadModel(catalog),
            Effect.as(true),
            Effect.catch((error) =>
              expected.includes(error._tag)
                ? Effect.succeed(false)
                : Effect.as(Effect.logWarning(`media: ${signal._tag} of ${signal.ingestId} not recorded: ${error._tag}`), false)
            )
          ),
        entitled: (connection) =>
          Effect.map(catalog.livestreamById(connection.livestreamId), (livestream) =>
            livestream !== undefined && !livestream.deleted && livestream.broadcast._tag === "Connected" &&
            livestream.broadcast.ingestId === connection.ingestId)
      })
    })

  static readonly layer = (hlsDir: string) => Layer.effect(RunningNginx, RunningNginx.make(hlsDir))
}
