/**
 * The worker that fires due timers: start timeouts, expired reconnect windows, maximum durations. On each
 * tick it claims the livestreams whose next timer has come from a timer source (the catalog's
 * `onair_livestreams`, shared by every replica) and sends each one's due timer through the command path.
 * A claimed timer is this worker's alone, so N replicas attempt each timer once; it keeps no state.
 *
 * A timer's command id is its kind and session, so even a timer fired twice is stored once. A timer
 * refused as not due (clocks differ) or stale (the broadcast moved on meanwhile) is dropped: its claim
 * runs out and the source offers it again if it is still due. While the source cannot be read (the
 * database is away) the worker backs off, up to `maxBackoff`, logging once per outage, and recovers by
 * itself.
 */
import { dueTimer, type Livestream, type LivestreamId, originMetadata, Timestamp } from "@onair/core"
import { Clock, Duration, Effect, Option } from "effect"
import { backingOffLoop } from "./BackingOffLoop.ts"
import { CommandHandler } from "./CommandHandler.ts"

/** A livestream whose timer this worker holds. */
export interface ClaimedTimer {
  readonly livestreamId: LivestreamId
  /**
   * Its state as claimed, opened when its timer fires: opening a whole batch at once (a stream key to
   * decrypt, a schema to check, each) held the event loop long enough to be felt by the API.
   */
  readonly open: () => Livestream
}

/** Where the worker finds due timers. */
export interface TimerSource {
  /** Claims up to `limit` livestreams with a timer due at `at`, for this worker alone for a while. */
  readonly claimDue: (at: Timestamp, limit: number) => Effect.Effect<ReadonlyArray<ClaimedTimer>, unknown>
}

export interface TimerWorkerOptions {
  /** How often due timers are looked for when none were; default 1 s. */
  readonly tick?: Duration.Input
  /** Timers claimed at once; default 500. */
  readonly batchSize?: number
  /** Timers fired at once; default 16 (the PostgreSQL pool's size). */
  readonly concurrency?: number
  /** The longest pause while the source cannot be read; default 30 s. */
  readonly maxBackoff?: Duration.Input
}

/** Runs for ever, claiming due timers from `source`. */
export const run = (source: TimerSource, options?: TimerWorkerOptions) =>
  Effect.gen(function* () {
    const commands = yield* CommandHandler
    const tick = Duration.fromInputUnsafe(options?.tick ?? Duration.seconds(1))
    const maxBackoff = Duration.toMillis(Duration.fromInputUnsafe(options?.maxBackoff ?? Duration.seconds(30)))
    const batchSize = options?.batchSize ?? 500
    const concurrency = options?.concurrency ?? 16

    const fire = (claimed: ClaimedTimer, at: Timestamp) => {
      const timer = dueTimer(claimed.open(), at)
      if (timer === undefined) return Effect.void
      const id = `timer:${timer._tag}:${timer.sessionId}`
      return commands.handle(timer, originMetadata(id, "system:timers", at)).pipe(
        Effect.asVoid,
        Effect.catch((error) =>
          error._tag === "TimerNotDue" || error._tag === "StaleTimer"
            ? Effect.void
            : Effect.logWarning(`timer ${id} not fired yet: ${error._tag}`)
        )
      )
    }

    const claim = Effect.flatMap(Clock.currentTimeMillis, (millis) => {
      const at = Timestamp.make(millis)
      return Effect.map(source.claimDue(at, batchSize), (claimed) => ({ at, claimed }))
    })
    // After a full batch the next is claimed while this one fires, so the workers never wait for a claim.
    let ahead: { readonly at: Timestamp; readonly claimed: ReadonlyArray<ClaimedTimer> } | undefined

    /** One round: how many timers it claimed. */
    const round = Effect.gen(function* () {
      const batch = ahead ?? (yield* claim)
      ahead = undefined
      const fireAll = Effect.forEach(batch.claimed, (timer) => Effect.suspend(() => fire(timer, batch.at)), {
        concurrency,
        discard: true
      })
      // A claim ahead that fails is left to the next round, which claims again (and backs off if that fails).
      const next = batch.claimed.length >= batchSize ? Effect.option(claim) : Effect.succeedNone
      const [, following] = yield* Effect.all([fireAll, next], { concurrency: 2 })
      ahead = Option.getOrUndefined(following)
      return batch.claimed.length
    })

    return yield* backingOffLoop({
      round,
      // A full batch means more may be due now.
      then: (claimed) => (claimed >= batchSize ? Effect.void : Effect.sleep(tick)),
      pause: tick,
      maxPause: Duration.millis(maxBackoff),
      failing: (error) => `timers: the timer source cannot be read (${String(error)}); backing off`,
      recovered: "timers: the timer source answers again"
    })
  })
