/**
 * The node's adaptive-bitrate workers: one supervised ffmpeg per connection whose livestream asks for a
 * ladder (`RenditionLadders`). It reads the session from nginx's loopback `hls` application, and writes
 * every variant's HLS under `<abr dir>/<session id>/`.
 *
 * A ladder starts once the source's size is known from its first health. It runs only when the node's
 * CPU budget (`ONAIR_ABR_CPU_CORES`) has room for it beside the ladders already running. A ladder without
 * room is refused once, with its reason, and the connection's source is served alone. A worker that exits
 * while its connection lives starts again after a back-off (2 s, doubling to 30 s). It is stopped with
 * SIGTERM and then SIGKILL when its connection ends. Each round runs every second.
 */
import type { IngestHealth, Rendition, SessionId } from "@onair/core"
import { Clock, Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type { Connection } from "./Connections.ts"
import { MediaControl } from "../protocol/MediaControl.ts"
import { FfmpegRun } from "./FfmpegRun.ts"
import type { LadderBudget } from "./LadderBudget.ts"
import * as RenditionLadders from "./RenditionLadders.ts"
import { nextPause, WORKER_RESTARTS } from "./RestartLoop.ts"
import { RunningNginx } from "./RunningNginx.ts"

export interface LadderSettings {
  /** Where the variants go: `<dir>/<session id>/<variant>/`. */
  readonly dir: string
  /** The cores the node gives all its ladders together, shared with the packagers' ladders. */
  readonly budget: LadderBudget
  readonly fragmentSeconds: number
  readonly playlistSeconds: number
}

interface Worker {
  readonly plan: RenditionLadders.LadderPlan
  run: FfmpegRun | null
  backoff: number
}

/**
 * Takes the budget for `connection`'s ladder; when it has no room, refuses the ladder once, with its reason,
 * to the control plane (the source is served alone).
 */
export const takeBudget = (
  budget: LadderBudget,
  connection: Connection,
  plan: RenditionLadders.LadderPlan,
  control: MediaControl["Service"]
) =>
  Effect.gen(function* () {
    const source = connection.source!
    const cost = RenditionLadders.cost(plan, source)
    if (budget.take(connection.sessionId, cost)) return true
    connection.renditionsRefused = true
    const names = plan.rungs.map((rung) => rung.name)
    yield* Effect.logWarning(
      `media: no CPU budget for ${names.join(", ")} of ${connection.sessionId} ` +
        `(${cost.toFixed(2)} cores asked, ${(budget.cores - budget.used).toFixed(2)} of ${budget.cores} left): the source is served alone`
    )
    yield* control
      .renditionsRefused(connection.ingestId, "no cpu budget", names)
      .pipe(
        Effect.catch((error) =>
          Effect.logWarning(`media: renditions refusal of ${connection.ingestId} not told: ${error.message}`)
        )
      )
    return false
  })

/** The session's variants folder. */
export const sessionDir = (dir: string, sessionId: string) => Path.join(dir, sessionId)

export const make = (settings: LadderSettings) => {
  const running = new Map<SessionId, Worker>()

  const spawnFor = (worker: Worker, connection: Connection, relayUrl: string) => {
    const dir = sessionDir(settings.dir, connection.sessionId)
    Fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    worker.run = new FfmpegRun(
      RenditionLadders.ffmpegArgs(worker.plan, `${relayUrl}/${connection.sessionId}`, dir, {
        audio: connection.source?.audio ?? true,
        fragmentSeconds: settings.fragmentSeconds,
        playlistSeconds: settings.playlistSeconds
      })
    )
  }

  const round = Effect.gen(function* () {
    const nginx = yield* RunningNginx
    const control = yield* MediaControl
    const instance = nginx.instance()
    const laddered = new Map(
      nginx.connections
        .all()
        // A packaged broadcast (low latency or DVR) gets its ladder from its packager (`Packagers`).
        .filter(
          (connection) =>
            connection.renditions.length > 0 &&
            connection.latencyMode === "standard" &&
            connection.dvrWindowSeconds === 0
        )
        .map((connection) => [connection.sessionId, connection])
    )
    for (const [sessionId, worker] of running) {
      if (instance !== null && laddered.has(sessionId)) continue
      worker.run?.stop()
      running.delete(sessionId)
      settings.budget.give(sessionId)
    }
    if (instance === null) return
    const now = yield* Clock.currentTimeMillis
    for (const connection of laddered.values()) {
      const worker = running.get(connection.sessionId)
      if (worker !== undefined) {
        const run = worker.run
        if (run !== null && run.exitedAt !== null && now - run.exitedAt >= worker.backoff) {
          yield* Effect.logWarning(
            `media: renditions of ${connection.sessionId} stopped (${run.messages.slice(-300)}); starting again`
          )
          // A worker that ran a good while starts its back-off again.
          worker.backoff = nextPause(WORKER_RESTARTS, worker.backoff, run.exitedAt - run.startedAt)
          spawnFor(worker, connection, instance.relayUrl)
        }
        continue
      }
      if (connection.source === null || connection.renditionsRefused) continue
      const plan = RenditionLadders.plan(connection.renditions, connection.source)
      if (plan === null) continue
      if (!(yield* takeBudget(settings.budget, connection, plan, control))) continue
      const started: Worker = { plan, run: null, backoff: 2_000 }
      running.set(connection.sessionId, started)
      spawnFor(started, connection, instance.relayUrl)
    }
  })

  /**
   * The variants a session's players get now, from ffmpeg's master playlist (the source's codecs, which a
   * copied variant's entry may lack, from its health); empty until the first is written.
   */
  const renditionsOf = (sessionId: SessionId, health: IngestHealth): ReadonlyArray<Rendition> => {
    if (!running.has(sessionId)) return []
    let text: string
    try {
      text = Fs.readFileSync(Path.join(sessionDir(settings.dir, sessionId), "master.m3u8"), "utf8")
    } catch {
      return []
    }
    return RenditionLadders.readMaster(text).map((variant) => {
      const [video, audio] = variant.codecs
      const source = variant.name === "source"
      return {
        name: variant.name,
        width: source ? health.width : variant.width,
        height: source ? health.height : variant.height,
        videoCodecId: source || video === undefined ? health.videoCodecId : video,
        audioCodecId: audio ?? health.audioCodecId,
        bandwidth: source && variant.bandwidth === 0 ? health.videoBitrate + health.audioBitrate : variant.bandwidth
      }
    })
  }

  const stopAll = Effect.sync(() => {
    for (const [sessionId, worker] of running) {
      worker.run?.stop()
      settings.budget.give(sessionId)
    }
    running.clear()
  })

  return { round, renditionsOf, stopAll }
}

export type LadderWorkers = ReturnType<typeof make>
