/**
 * The node's WHEP viewers of `realtime` broadcasts. An offer is checked for its shape before any socket
 * exists for it, then against the node's cap (`maxViewers`, all broadcasts together) and the offers being
 * answered at once (`maxPending`, `maxPendingPerAddress` from one client address); only then is a peer
 * connection made (`WhepViewer`) and joined to its broadcast's fan-out (`WhepFanOut`).
 *
 * Each viewer is known by a random resource id, which the player's `DELETE` names. Every second, each
 * connected viewer's time counts to its session's viewer seconds, as HLS players' segments do.
 */
import type { SessionId } from "@onair/core"
import { Context, Duration, Effect, Layer, Schedule, Schema, Scope } from "effect"
import { randomBytes } from "node:crypto"
import type { WhepSettings } from "./MediaSettings.ts"
import { PendingOffers } from "./PendingOffers.ts"
import type { ViewerSeconds } from "./ViewerSeconds.ts"
import type { WhepFanOut } from "./WhepFanOut.ts"
import { WhepViewer } from "./WhepViewer.ts"
import { UnusableOffer } from "./WhipBridge.ts"
import { offerProblem } from "./WhipSdp.ts"

/** WHEP is off on this node. */
export class WhepOff extends Schema.TaggedError<WhepOff>()("WhepOff", {}) {}
/** Not now: the node has as many viewers, or offers being answered, as it takes. */
export class WhepBusy extends Schema.TaggedError<WhepBusy>()("WhepBusy", { message: Schema.String }) {}
/** The offer cannot be answered (the message names what is wrong with it). */
export class WhepBadOffer extends Schema.TaggedError<WhepBadOffer>()("WhepBadOffer", { message: Schema.String }) {}

export interface WhepAnswer {
  readonly resourceId: string
  readonly answer: string
}

interface Watching {
  readonly viewer: WhepViewer
  readonly sessionId: SessionId
  /** Up to when its time was counted (epoch ms), or null before it connected. */
  countedTo: number | null
}

export class WhepViewers extends Context.Service<
  WhepViewers,
  {
    /** Answers `offer` from `address` to watch the broadcast `source` is of. */
    readonly play: (
      sessionId: SessionId,
      source: WhepFanOut,
      offer: string,
      address: string
    ) => Effect.Effect<WhepAnswer, WhepOff | WhepBusy | WhepBadOffer>
    /** Ends the viewer `resourceId` names; false when there is none. */
    readonly end: (resourceId: string) => Effect.Effect<boolean>
    /** Viewers now, all broadcasts together. */
    readonly count: Effect.Effect<number>
  }
>()("@onair/adapters-media/WhepViewers") {
  /** `settings` null: WHEP is off. */
  static readonly make = (settings: WhepSettings | null, seconds: ViewerSeconds) =>
    Effect.gen(function* () {
      const scope = yield* Effect.scope
      const watching = new Map<string, Watching>()
      const pending = new PendingOffers(settings?.maxPending ?? 1, settings?.maxPendingPerAddress ?? 1, "WHEP")

      const answer = Effect.fn("WhepViewers.answer")(function* (
        whep: WhepSettings,
        sessionId: SessionId,
        source: WhepFanOut,
        offer: string
      ) {
        const viewer = yield* Effect.tryPromise({
          try: () => WhepViewer.open(offer, whep),
          catch: (cause) =>
            cause instanceof UnusableOffer
              ? new WhepBadOffer({ message: cause.message })
              : new WhepBusy({ message: `the offer could not be answered now: ${String(cause).slice(0, 200)}` })
        })
        const resourceId = randomBytes(16).toString("hex")
        if (!source.add(viewer.sink)) {
          viewer.close("the broadcast ended")
          return yield* new WhepBusy({ message: "the broadcast ended" })
        }
        watching.set(resourceId, { viewer, sessionId, countedTo: null })
        yield* Effect.forkIn(
          Effect.promise(() => viewer.ended).pipe(
            Effect.andThen((reason) =>
              Effect.sync(() => {
                source.remove(viewer.sink)
                count(resourceId, Date.now())
                watching.delete(resourceId)
                return reason
              })
            ),
            Effect.andThen((reason) => Effect.logDebug(`media: WHEP viewer ${resourceId} ended: ${reason}`))
          ),
          scope
        )
        return { resourceId, answer: viewer.answer } satisfies WhepAnswer
      })

      /** In this order: the offer's shape, room for a viewer, a place among the offers being answered. */
      const play = Effect.fn("WhepViewers.play")(function* (
        sessionId: SessionId,
        source: WhepFanOut,
        offer: string,
        address: string
      ) {
        if (settings === null) return yield* new WhepOff()
        const problem = offerProblem(offer, "receive")
        if (problem !== null) return yield* new WhepBadOffer({ message: problem })
        if (watching.size + pending.pending >= settings.maxViewers) {
          return yield* new WhepBusy({
            message: `this media node serves ${settings.maxViewers} WebRTC viewers at once`
          })
        }
        const place = pending.admit(address)
        if (!place.admitted) return yield* new WhepBusy({ message: place.why })
        return yield* answer(settings, sessionId, source, offer).pipe(
          Effect.ensuring(Effect.sync(() => pending.release(address)))
        )
      })

      /** Counts a viewer's time connected up to `now`. */
      const count = (resourceId: string, now: number) => {
        const entry = watching.get(resourceId)
        const from = entry?.countedTo ?? entry?.viewer.connectedAt ?? null
        if (entry === undefined || from === null || now <= from) return
        seconds.watched(entry.sessionId, `whep-${resourceId}`, (now - from) / 1000, now)
        entry.countedTo = now
      }

      yield* Effect.forkScoped(
        Effect.repeat(
          Effect.sync(() => {
            const now = Date.now()
            for (const resourceId of watching.keys()) count(resourceId, now)
          }),
          Schedule.spaced(Duration.seconds(1))
        )
      )

      const end = (resourceId: string) =>
        Effect.sync(() => {
          const entry = watching.get(resourceId)
          entry?.viewer.close("ended by the player")
          return entry !== undefined
        })

      yield* Scope.addFinalizer(
        scope,
        Effect.sync(() => {
          for (const entry of watching.values()) entry.viewer.close("the media node stops")
        })
      )
      return WhepViewers.of({ play, end, count: Effect.sync(() => watching.size) })
    })

  static readonly layer = (settings: WhepSettings | null, seconds: ViewerSeconds) =>
    Layer.effect(WhepViewers, WhepViewers.make(settings, seconds))
}
