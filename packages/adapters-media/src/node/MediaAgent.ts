/**
 * A media node's agent for one boot: it registers the node with the control plane (retrying until the
 * control plane takes it), heartbeats on the lease it was given with the node's load, registers again if
 * the lease was lost meanwhile (the control plane has ended its publishers by then), and runs nginx under
 * the supervisor. On a clean stop it gives its lease up, so the node's next boot registers at once.
 */
import type { ComposerRoom } from "./Composers.ts"
import type { Packagers } from "./Packagers.ts"
import type { SlateImages } from "./SlateImages.ts"
import { Cause, Duration, Effect } from "effect"
import * as Os from "node:os"
import { type Lease, MediaControl, type NodeLoad, type Registration } from "../protocol/MediaControl.ts"
import type { MediaSettings } from "./MediaSettings.ts"
import { RunningNginx } from "./RunningNginx.ts"
import * as Supervisor from "./Supervisor.ts"
import type { ViewerSeconds } from "./ViewerSeconds.ts"

/** Busy and total CPU time of every core, summed. */
const cpuTimes = () => {
  let busy = 0
  let total = 0
  for (const cpu of Os.cpus()) {
    const { user, nice, sys, irq, idle } = cpu.times
    busy += user + nice + sys + irq
    total += user + nice + sys + irq + idle
  }
  return { busy, total }
}

/** A player counts as watching for this long after its last fetch (a few segments' time). */
const VIEWERS_WINDOW_MILLIS = 30_000

/** The node's load since the last call: CPU share of the machine, bits per second in and out, viewers. */
const loadMeter = (viewers: ViewerSeconds, composerRoom: ComposerRoom) => {
  let last = { ...cpuTimes(), at: Date.now() }
  return Effect.gen(function* () {
    const nginx = yield* RunningNginx
    const times = cpuTimes()
    const at = Date.now()
    const seconds = Math.max((at - last.at) / 1000, 0.001)
    const cpu = times.total > last.total ? (times.busy - last.busy) / (times.total - last.total) : 0
    last = { ...times, at }
    const connections = nginx.connections.all()
    return {
      streams: connections.length,
      cpu: Math.min(Math.max(cpu, 0), 1),
      bandwidthIn: connections.reduce((sum, connection) => sum + connection.bitrate, 0),
      bandwidthOut: Math.round((viewers.takeSentBytes() * 8) / seconds),
      viewers: viewers.watchingAny(at, VIEWERS_WINDOW_MILLIS),
      composerRoom: composerRoom.cores
    } satisfies NodeLoad
  })
}

/** Registers this boot, retrying while the control plane is unreachable or another boot holds the node. */
const register = (registration: Registration) =>
  Effect.gen(function* () {
    const control = yield* MediaControl
    for (;;) {
      const answer = yield* control.register(registration).pipe(
        Effect.map((lease): Lease | string => lease),
        Effect.catch((error) => Effect.succeed(error.message))
      )
      if (typeof answer !== "string") {
        yield* Effect.logInfo(`media: node ${control.nodeId} registered (lease ${answer.leaseSeconds} s)`)
        return answer
      }
      yield* Effect.logWarning(`media: node ${control.nodeId} not registered yet: ${answer}`)
      yield* Effect.sleep(Duration.seconds(1))
    }
  })

/** Runs the node until interrupted (nginx stopped, heartbeats stopped, then the lease given up). */
export const run = (options: {
  readonly settings: MediaSettings
  readonly registration: Registration
  readonly viewers: ViewerSeconds
  readonly packagers: Packagers
  readonly slateImages: SlateImages
  readonly callbackBase: (instanceId: string) => string
}) =>
  Effect.gen(function* () {
    const control = yield* MediaControl
    const nginx = yield* RunningNginx
    const lease = yield* register(options.registration)
    const composerRoom: ComposerRoom = { cores: options.settings.composer?.cpuCores ?? 0 }
    const load = loadMeter(options.viewers, composerRoom)
    const heartbeats = Effect.forever(
      Effect.gen(function* () {
        yield* Effect.sleep(Duration.seconds(lease.heartbeatSeconds))
        const answer = yield* control
          .heartbeat({ bootId: nginx.bootId, load: yield* load })
          .pipe(
            Effect.catch((error) =>
              Effect.as(Effect.logWarning(`media: heartbeat not taken: ${error.message}`), undefined)
            )
          )
        if (answer !== undefined && !answer.leased) {
          yield* Effect.logWarning("media: this node's lease was lost (its publishers were ended); registering again")
          yield* register(options.registration)
        }
      })
    )
    // Given up once nginx has stopped (its publishers' ends reported) and heartbeats have stopped.
    const leave = control.leave(nginx.bootId).pipe(
      Effect.timeout("3 seconds"),
      Effect.catchCause((cause) => Effect.logWarning(`media: lease not given up: ${Cause.pretty(cause)}`))
    )
    return yield* Effect.all(
      [
        Supervisor.run(options.settings, options.callbackBase, options.packagers, options.slateImages, composerRoom),
        heartbeats
      ],
      {
        concurrency: 2
      }
    ).pipe(Effect.ensuring(leave))
  })
