/**
 * The worker that fires due timers: start timeouts, expired reconnect windows, maximum durations. On each
 * tick it asks a read model of the livestreams for the core's due timers and sends them through the
 * command path. It keeps no state of its own: the process's read model (the catalog) already has every
 * broadcast.
 *
 * A timer's command id is its kind and session, so several workers (replicas) firing the same timer
 * store it once. A timer refused as not due (clocks differ) or stale (the broadcast moved on meanwhile)
 * is dropped: the next tick sees the new state.
 */
import { dueTimers, type Livestream, originMetadata, Timestamp } from "@onair/core"
import { Clock, Duration, Effect } from "effect"
import { CommandHandler } from "./CommandHandler.ts"
import { awaitReadModel } from "./AwaitReadModel.ts"

/** Where the worker reads broadcasts from: a read model of every livestream, followed from the log. */
export interface LivestreamSource {
  /** Every livestream as the read model has it now. */
  readonly livestreams: () => Iterable<Livestream>
  /** Resolves once everything the given transaction appended is in the read model. */
  readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
}

export interface TimerWorkerOptions {
  /** How often due timers are looked for; default 1 s. */
  readonly tick?: Duration.Input
}

/** Runs for ever, reading broadcasts from `source`; the read model is the caller's to keep. */
export const run = (source: LivestreamSource, options?: TimerWorkerOptions) =>
  Effect.gen(function*() {
    const commands = yield* CommandHandler
    const tick = options?.tick ?? Duration.seconds(1)

    const fire = Effect.gen(function*() {
      const at = Timestamp.make(yield* Clock.currentTimeMillis)
      for (const timer of dueTimers(source.livestreams(), at)) {
        const id = `timer:${timer._tag}:${timer.sessionId}`
        yield* commands.handle(timer, originMetadata(id, "system:timers", at)).pipe(
          // The next tick must see this timer's effect, or it would fire it again.
          awaitReadModel(source),
          Effect.asVoid,
          Effect.catch((error) =>
            error._tag === "TimerNotDue" || error._tag === "StaleTimer"
              ? Effect.void
              : Effect.logWarning(`timer ${id} not fired yet: ${error._tag}`)
          )
        )
      }
    })

    return yield* Effect.forever(Effect.andThen(fire, Effect.sleep(tick)))
  })
