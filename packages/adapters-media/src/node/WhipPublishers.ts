/**
 * The node's WHIP publishers. A publish is decided by the same control-plane decision as an RTMP
 * publish: the key, the livestream's state, the node's placement and whether it takes publishers.
 * Only then is the offer answered.
 *
 * An accepted publish's bridge (`WhipBridge`) pushes into nginx's `gateway` server. There it becomes an
 * ordinary connection: health, playlists, recording, restreams, drops and its end all come the RTMP way.
 * A bridge that ends before nginx took its push ends its publish here instead, so every accepted publish
 * ends once.
 *
 * At most `maxPublishers` bridges run at once, and at most `maxPending` offers (`maxPendingPerAddress`
 * from one client address) are decided at once: more are answered busy. An offer is checked for its
 * shape and its key before a peer connection or any socket exists for it. Each bridge is known by a
 * random resource id, which the publisher's `DELETE` names.
 */
import type { IngestId, SessionId } from "@onair/core"
import { Context, Effect, Layer, Schema, Scope } from "effect"
import { randomBytes } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { MediaControl } from "../protocol/MediaControl.ts"
import type { WhipSettings } from "./MediaSettings.ts"
import { PendingOffers } from "./PendingOffers.ts"
import type { NginxInstance } from "./NginxProcess.ts"
import { RunningNginx } from "./RunningNginx.ts"
import { UnusableOffer, WhipBridge } from "./WhipBridge.ts"
import { offerProblem } from "./WhipSdp.ts"

/** WHIP is off on this node. */
export class WhipOff extends Schema.TaggedError<WhipOff>()("WhipOff", {}) {}
/** Not now: no media server runs, or the node has as many WHIP publishers as it takes. */
export class WhipBusy extends Schema.TaggedError<WhipBusy>()("WhipBusy", { message: Schema.String }) {}
/** The offer cannot be answered (the message names what is wrong with it). */
export class WhipBadOffer extends Schema.TaggedError<WhipBadOffer>()("WhipBadOffer", { message: Schema.String }) {}
/** The control plane refused the publish, with the same reason an RTMP publish would get. */
export class WhipRefused extends Schema.TaggedError<WhipRefused>()("WhipRefused", { reason: Schema.String }) {}

export interface WhipAnswer {
  readonly resourceId: string
  readonly answer: string
}

interface Publisher {
  readonly bridge: WhipBridge
  readonly ingestId: IngestId
  readonly sessionId: SessionId
}

export class WhipPublishers extends Context.Service<
  WhipPublishers,
  {
    /** Decides and answers one offer, made with stream key `key` from `address`. */
    readonly publish: (
      key: string,
      offer: string,
      address: string
    ) => Effect.Effect<WhipAnswer, WhipOff | WhipBusy | WhipBadOffer | WhipRefused>
    /** Ends the publish `resourceId` names; false when there is none. */
    readonly end: (resourceId: string) => Effect.Effect<boolean>
  }
>()("@onair/adapters-media/WhipPublishers") {
  /** `settings` null: WHIP is off. `dir`: the media folder (ffmpeg's SDP files go under it). */
  static readonly make = (settings: WhipSettings | null, dir: string, keyframeMillis: number) =>
    Effect.gen(function* () {
      const nginx = yield* RunningNginx
      const control = yield* MediaControl
      const scope = yield* Effect.scope
      const publishers = new Map<string, Publisher>()
      const sdpDir = Path.join(dir, "whip")
      let counter = 0
      const pending = new PendingOffers(settings?.maxPending ?? 1, settings?.maxPendingPerAddress ?? 1)

      /** After a bridge ends: its publish ends too, unless nginx took its push (nginx reports that end). */
      const settle = (resourceId: string, publisher: Publisher) =>
        Effect.gen(function* () {
          const reason = yield* Effect.promise(() => publisher.bridge.ended)
          publishers.delete(resourceId)
          const bridged = nginx.bridged.get(publisher.sessionId)
          nginx.bridged.delete(publisher.sessionId)
          if (bridged?.pushed !== true) {
            yield* control
              .publishDone(publisher.ingestId)
              .pipe(Effect.catch(() => Effect.sync(() => nginx.untoldEnds.add(publisher.ingestId))))
          }
          const said = publisher.bridge.messages
          yield* Effect.logInfo(
            `media: WHIP publisher ${publisher.ingestId} ended: ${reason}${said === "" ? "" : ` (${said.slice(-300)})`}`
          )
        })

      /** Decides an offer of the right shape, then answers it: no socket is opened for a refused key. */
      const decideAndAnswer = Effect.fn("WhipPublishers.decideAndAnswer")(function* (
        whip: WhipSettings,
        instance: NginxInstance,
        key: string,
        offer: string,
        address: string
      ) {
        counter += 1
        const answer = yield* control
          .publish({
            bootId: nginx.bootId,
            nginxRun: instance.id,
            clientId: `w${counter}`,
            streamName: key.slice(0, 256),
            address: address.slice(0, 64),
            protocol: "webrtc"
          })
          .pipe(
            Effect.catch((error) =>
              Effect.as(Effect.logWarning(`media: WHIP publish not decided: ${error.message}`), {
                _tag: "Refused" as const,
                reason: "control plane unreachable"
              })
            )
          )
        if (answer._tag === "Refused") return yield* new WhipRefused({ reason: answer.reason })
        const { ingestId, livestreamId, sessionId } = answer
        // An accepted publish that gets no bridge ends here: nginx never hears of it.
        const bridge = yield* Effect.tryPromise({
          try: () => WhipBridge.open(offer, whip, keyframeMillis),
          catch: (cause) =>
            cause instanceof UnusableOffer
              ? new WhipBadOffer({ message: cause.message })
              : new WhipBusy({ message: `the offer could not be answered now: ${String(cause).slice(0, 200)}` })
        }).pipe(Effect.tapError(() => Effect.ignore(control.publishDone(ingestId))))
        // The nginx that the publish was decided for may have stopped meanwhile.
        if (!nginx.isCurrent(instance.id)) {
          bridge.close("media server restarted")
          yield* Effect.ignore(control.publishDone(ingestId))
          return yield* new WhipBusy({ message: "the media server restarted" })
        }
        const token = randomBytes(24).toString("hex")
        nginx.bridged.set(sessionId, {
          ingestId,
          livestreamId,
          sessionId,
          renditions: answer.renditions ?? [],
          latencyMode: answer.latencyMode ?? "standard",
          dvrWindowSeconds: answer.dvrWindowSeconds ?? 0,
          slateImageUrl: answer.slateImageUrl ?? null,
          nginxRun: instance.id,
          token,
          pushed: false
        })
        const resourceId = randomBytes(16).toString("hex")
        const publisher: Publisher = { bridge, ingestId, sessionId }
        publishers.set(resourceId, publisher)
        yield* Effect.forkIn(settle(resourceId, publisher), scope)
        yield* Effect.sync(() => {
          Fs.mkdirSync(sdpDir, { recursive: true, mode: 0o700 })
          bridge.push(`${instance.gatewayUrl}/${sessionId}?gw=${token}`, Path.join(sdpDir, `${resourceId}.sdp`))
        })
        return { resourceId, answer: bridge.answer } satisfies WhipAnswer
      })

      /**
       * In this order, each before anything costlier: the offer's shape (a bad offer changes no livestream),
       * room on the node, a place among the offers being decided, the key (the control plane's decision),
       * and only then the peer connection and its sockets.
       */
      const publish = Effect.fn("WhipPublishers.publish")(function* (key: string, offer: string, address: string) {
        if (settings === null) return yield* new WhipOff()
        const problem = offerProblem(offer)
        if (problem !== null) return yield* new WhipBadOffer({ message: problem })
        const instance = nginx.instance()
        if (instance === null) return yield* new WhipBusy({ message: "the media server is not running" })
        if (publishers.size + pending.pending >= settings.maxPublishers) {
          return yield* new WhipBusy({
            message: `this media node takes ${settings.maxPublishers} WHIP publishers at once`
          })
        }
        const place = pending.admit(address)
        if (!place.admitted) return yield* new WhipBusy({ message: place.why })
        return yield* decideAndAnswer(settings, instance, key, offer, address).pipe(
          Effect.ensuring(Effect.sync(() => pending.release(address)))
        )
      })

      const end = (resourceId: string) =>
        Effect.sync(() => {
          const publisher = publishers.get(resourceId)
          publisher?.bridge.close("ended by the publisher")
          return publisher !== undefined
        })

      yield* Scope.addFinalizer(
        scope,
        Effect.sync(() => {
          for (const publisher of publishers.values()) publisher.bridge.close("the media node stops")
        })
      )
      return WhipPublishers.of({ publish, end })
    })

  static readonly layer = (settings: WhipSettings | null, dir: string, keyframeMillis: number) =>
    Layer.effect(WhipPublishers, WhipPublishers.make(settings, dir, keyframeMillis))
}
