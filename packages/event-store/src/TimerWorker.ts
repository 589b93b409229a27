/**
 * The worker that fires due timers: start timeouts, expired reconnect windows, maximum durations. It
 * keeps every livestream's state in memory (followed from the log) and, on each tick, sends the core's
 * due timers through the command path.
 *
 * A timer's command id is its kind and session, so several workers (replicas) firing the same timer
 * store it once. A timer refused as not due (clocks differ) or stale (the broadcast moved on meanwhile)
 * is dropped: the next tick sees the new state.
 */
import {
  dueTimers,
  type Livestream,
  LivestreamDecider,
  type LivestreamId,
  originMetadata,
  type StoredEvent,
  Timestamp
} from "@onair/core"
import { Clock, Duration, Effect, Result } from "effect"
import { CommandHandler } from "./CommandHandler.ts"
import { parseStream, toChange } from "./DomainEvents.ts"
import * as InMemoryProjection from "./InMemoryProjection.ts"

export interface TimerWorkerOptions {
  /** How often due timers are looked for; default 1 s. */
  readonly tick?: Duration.Input
}

const applyLivestreams = (livestreams: Map<LivestreamId, Livestream>, events: ReadonlyArray<StoredEvent>) => {
  for (const stored of events) {
    if (parseStream(stored.stream)?.kind !== "livestream") continue
    const change = toChange(stored)
    if (Result.isFailure(change)) return Result.fail(change.failure)
    if (change.success.kind !== "livestream") continue
    const id = change.success.id as LivestreamId
    const next = LivestreamDecider.evolve(livestreams.get(id) ?? null, change.success.event)
    if (next === null) livestreams.delete(id)
    else livestreams.set(id, next)
  }
  return Result.void
}

/** Runs for as long as its scope is open. */
export const run = (options?: TimerWorkerOptions) =>
  Effect.gen(function*() {
    const commands = yield* CommandHandler
    const projection = yield* InMemoryProjection.start(new Map<LivestreamId, Livestream>(), applyLivestreams)
    const tick = options?.tick ?? Duration.seconds(1)

    const fire = Effect.gen(function*() {
      const at = Timestamp.make(yield* Clock.currentTimeMillis)
      for (const timer of dueTimers(projection.model.values(), at)) {
        const id = `timer:${timer._tag}:${timer.sessionId}`
        yield* commands.handle(timer, originMetadata(id, "system:timers", at)).pipe(
          Effect.flatMap((handled) => projection.awaitTransaction(handled.append?.transaction ?? 0)),
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
