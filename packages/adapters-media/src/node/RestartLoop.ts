/**
 * Runs a process for ever, starting it again whenever it ends: after a pause that starts at `first`,
 * doubles with each restart up to `most`, and goes back to `first` once a run has lasted `healthyAfter`
 * (a process that crashes at once is not restarted in a tight loop; one that ran well and fell over is
 * back at once). Each end is told to `ended`, with how long the run lasted and the pause before the next.
 */
import { Clock, Duration, Effect, type Exit } from "effect"

export interface RestartPolicy {
  readonly first: Duration.Duration
  readonly most: Duration.Duration
  readonly healthyAfter: Duration.Duration
}

/** nginx's: 1 s, doubling to 30 s, back to 1 s after a minute of good running. */
export const NGINX_RESTARTS: RestartPolicy = {
  first: Duration.seconds(1),
  most: Duration.seconds(30),
  healthyAfter: Duration.minutes(1)
}

/** A supervised ffmpeg worker's (ladders, packagers): 2 s, doubling to 30 s, back to 2 s after a good minute. */
export const WORKER_RESTARTS: RestartPolicy = {
  first: Duration.seconds(2),
  most: Duration.seconds(30),
  healthyAfter: Duration.minutes(1)
}

/** The pause before the next run (ms), after `pause` before the run that ended, which lasted `ranFor` ms. */
export const nextPause = (policy: RestartPolicy, pause: number, ranFor: number): number =>
  ranFor > Duration.toMillis(policy.healthyAfter)
    ? Duration.toMillis(policy.first)
    : Math.min(pause * 2, Duration.toMillis(policy.most))

export interface RunEnded<A, E> {
  readonly exit: Exit.Exit<A, E>
  /** How long the run lasted, ms. */
  readonly ranFor: number
  /** The pause before the next run, ms. */
  readonly restartIn: number
}

export const restartForever = <A, E, R, R2>(
  policy: RestartPolicy,
  run: Effect.Effect<A, E, R>,
  ended: (end: RunEnded<A, E>) => Effect.Effect<void, never, R2>
): Effect.Effect<never, never, R | R2> => {
  const first = Duration.toMillis(policy.first)
  let pause = first
  return Effect.forever(
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      const exit = yield* Effect.exit(run)
      const ranFor = (yield* Clock.currentTimeMillis) - startedAt
      if (ranFor >= Duration.toMillis(policy.healthyAfter)) pause = first
      yield* ended({ exit, ranFor, restartIn: pause })
      yield* Effect.sleep(Duration.millis(pause))
      pause = Math.min(pause * 2, Duration.toMillis(policy.most))
    })
  )
}
