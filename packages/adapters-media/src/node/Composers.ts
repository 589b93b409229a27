/**
 * The node's meeting composers. Every round asks the control plane which composers run here (the meeting
 * livestreams placed on this node whose broadcast is invoked or open) and makes it so: a new one starts
 * (`ComposerRun`) when the node's composer budget (`ONAIR_COMPOSER_CPU_CORES`) has room for it, one no
 * longer asked for stops, and one that ended on its own starts again after a back-off (2 s, doubling to
 * 30 s), so a composer that dies comes back inside its broadcast's reconnect window.
 *
 * Two ends are final, told to the control plane once, which ends the broadcast with the reason: no room on
 * the node, and a meeting page that did not load after its tries (`MAX_RETRIES_REACHED`).
 */
import { composerCores, type SessionId } from "@onair/core"
import { Clock, Effect } from "effect"
import { type ComposerAssignment, MediaControl } from "../protocol/MediaControl.ts"
import { ComposerRun, type ComposerRunSettings, PageNeverLoaded } from "./ComposerRun.ts"
import { nextPause, WORKER_RESTARTS } from "./RestartLoop.ts"

export interface ComposerSettings extends ComposerRunSettings {
  /** The cores all composers together may take. */
  readonly cpuCores: number
  /** Where the cores left are kept for the heartbeats. */
  readonly room: ComposerRoom
}

/** What a node has left for composers, told to the control plane with each heartbeat (placement reads it). */
export interface ComposerRoom {
  cores: number
}

interface Composing {
  assignment: ComposerAssignment
  run: ComposerRun | null
  /** When it may start again (epoch ms), after a run that ended on its own. */
  restartAt: number
  backoff: number
}

export const make = (settings: ComposerSettings) => {
  const composing = new Map<SessionId, Composing>()
  /** Sessions whose composer ended for good here: not started again. */
  const finished = new Set<SessionId>()

  const used = () => {
    let cores = 0
    for (const entry of composing.values()) cores += composerCores(entry.assignment.width, entry.assignment.height)
    return cores
  }

  const fail = (assignment: ComposerAssignment, message: string) =>
    Effect.gen(function* () {
      finished.add(assignment.sessionId)
      composing.delete(assignment.sessionId)
      yield* Effect.logWarning(`media: composer of ${assignment.livestreamId} ended for good: ${message}`)
      const control = yield* MediaControl
      yield* control
        .composerFailed(assignment.livestreamId, assignment.sessionId, message)
        .pipe(Effect.catch((error) => Effect.logWarning(`media: composer failure not told: ${error.message}`)))
    })

  const launch = (entry: Composing) =>
    Effect.gen(function* () {
      const run = new ComposerRun(entry.assignment, settings)
      entry.run = run
      const started = yield* Effect.tryPromise({
        try: () => run.start(settings),
        catch: (error) => error
      }).pipe(
        Effect.as(true),
        Effect.catch((error) => Effect.succeed(error))
      )
      if (started === true) {
        yield* Effect.logInfo(`media: composer of ${entry.assignment.livestreamId} publishing`)
        return
      }
      if (started instanceof PageNeverLoaded)
        return yield* fail(entry.assignment, `MAX_RETRIES_REACHED: ${started.message}`)
      yield* Effect.logWarning(
        `media: composer of ${entry.assignment.livestreamId} did not start: ${String(started)} (${run.messages.slice(-300)})`
      )
    })

  const round = Effect.gen(function* () {
    const control = yield* MediaControl
    const assigned = yield* control.composers().pipe(Effect.catch(() => Effect.succeed(undefined)))
    // The control plane unreachable: what runs goes on.
    if (assigned === undefined) return
    const wanted = new Map(assigned.map((assignment) => [assignment.sessionId, assignment]))
    for (const [sessionId, entry] of composing) {
      if (wanted.has(sessionId)) continue
      entry.run?.stop("its broadcast ended")
      composing.delete(sessionId)
    }
    for (const sessionId of finished) if (!wanted.has(sessionId)) finished.delete(sessionId)
    const now = yield* Clock.currentTimeMillis
    for (const assignment of assigned) {
      if (finished.has(assignment.sessionId)) continue
      const entry = composing.get(assignment.sessionId)
      if (entry === undefined) {
        const cost = composerCores(assignment.width, assignment.height)
        if (used() + cost > settings.cpuCores) {
          yield* fail(
            assignment,
            `no room for a composer on this media node (${cost.toFixed(2)} cores asked, ${(settings.cpuCores - used()).toFixed(2)} of ONAIR_COMPOSER_CPU_CORES=${settings.cpuCores} left)`
          )
          continue
        }
        const started: Composing = { assignment, run: null, restartAt: 0, backoff: 2_000 }
        composing.set(assignment.sessionId, started)
        yield* Effect.forkDetach(launch(started))
        continue
      }
      const run = entry.run
      if (run === null) continue
      const ended = run.endedWith
      if (ended === null) continue
      if (entry.restartAt === 0) {
        entry.backoff = nextPause(WORKER_RESTARTS, entry.backoff, now - run.startedAt)
        entry.restartAt = now + entry.backoff
        yield* Effect.logWarning(
          `media: composer of ${assignment.livestreamId} stopped (${ended}; ${run.messages.slice(-300)}); starting again`
        )
      }
      if (now < entry.restartAt) continue
      entry.restartAt = 0
      entry.run = null
      yield* Effect.forkDetach(launch(entry))
    }
  })

  /** Keeps the room left up to date for the next heartbeat. */
  const measured = Effect.sync(() => {
    settings.room.cores = Math.max(0, Math.round((settings.cpuCores - used()) * 100) / 100)
  })

  const stopAll = Effect.sync(() => {
    for (const entry of composing.values()) entry.run?.stop("the media node stops")
    composing.clear()
  })

  return { round: Effect.andThen(round, measured), stopAll, running: () => composing.size }
}

export type Composers = ReturnType<typeof make>
