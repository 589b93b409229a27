/**
 * nginx's callbacks decided: each a question to the control plane (`MediaControl`).
 *
 * - `publish` decides nginx's `on_publish`, whichever way in the publisher came: the control plane accepts
 *   (the answer renames the stream to the session id, so the key goes no further) or refuses with its
 *   reason. Without an answer nothing publishes.
 * - `relay` decides whether the `hls` application takes a stream: only nginx's own relay (it carries the
 *   run's relay secret) of a connection accepted here, once at a time (`relayDone` frees it again).
 * - `publishDone` and `update` answer the end of a publish and nginx's periodic question whether a live
 *   publisher may go on.
 */
import { sameSecret } from "@onair/secrets"
import type { SessionId } from "@onair/core"
import { Clock, Context, Effect, Layer } from "effect"
import { MediaControl } from "../protocol/MediaControl.ts"
import { HLS_APP, type IngestServer, PUBLISH_APP } from "./NginxConfig.ts"
import { RunningNginx } from "./RunningNginx.ts"

/** nginx's form fields for a callback (`app`, `name`, `clientid`, `addr`, `call`, …). */
export type CallbackForm = Readonly<Record<string, string | undefined>>

export type PublishDecision =
  | { readonly _tag: "Accepted"; readonly streamName: SessionId }
  | { readonly _tag: "Refused"; readonly reason: string }

/** nginx's client ids are counters. */
const CLIENT_ID = /^\d{1,18}$/

export class Publishing extends Context.Service<
  Publishing,
  {
    readonly publish: (instanceId: string, server: IngestServer, form: CallbackForm) => Effect.Effect<PublishDecision>
    /** Whether the `hls` application may take this stream: nginx's relay of an accepted connection only. */
    readonly relay: (instanceId: string, form: CallbackForm) => Effect.Effect<boolean>
    /** A relay ended: nginx may relay that connection again (its push reconnects after a failure). */
    readonly relayDone: (instanceId: string, form: CallbackForm) => Effect.Effect<void>
    readonly publishDone: (instanceId: string, form: CallbackForm) => Effect.Effect<void>
    /** Whether a live publisher may go on. */
    readonly update: (instanceId: string, form: CallbackForm) => Effect.Effect<boolean>
  }
>()("@onair/adapters-media/Publishing") {
  static readonly make = Effect.gen(function* () {
    const nginx = yield* RunningNginx
    const control = yield* MediaControl

    /**
     * A bridge's push (WHIP): taken when it names a publish the control plane accepted for this nginx run
     * and carries that publish's token, once; it becomes that publish's connection.
     */
    const bridgedPublish = (instanceId: string, clientId: string, form: CallbackForm) =>
      Effect.gen(function* () {
        const bridged = nginx.bridged.get(form["name"] as SessionId)
        if (
          bridged === undefined ||
          bridged.pushed ||
          bridged.nginxRun !== instanceId ||
          !sameSecret(form["gw"] ?? "", bridged.token)
        ) {
          return { _tag: "Refused", reason: "not a bridge of the running media server" } as PublishDecision
        }
        bridged.pushed = true
        const { ingestId, livestreamId, sessionId, renditions, latencyMode, dvrWindowSeconds, slateImageUrl } = bridged
        nginx.connections.add(
          {
            clientId,
            ingestId,
            livestreamId,
            sessionId,
            server: "gateway",
            renditions,
            latencyMode,
            dvrWindowSeconds,
            slateImageUrl
          },
          yield* Clock.currentTimeMillis
        )
        return { _tag: "Accepted", streamName: sessionId } as PublishDecision
      })

    const publish = Effect.fn("Publishing.publish")(function* (
      instanceId: string,
      server: IngestServer,
      form: CallbackForm
    ) {
      const clientId = form["clientid"] ?? ""
      if (!nginx.isCurrent(instanceId) || form["app"] !== PUBLISH_APP || !CLIENT_ID.test(clientId)) {
        return { _tag: "Refused", reason: "not a publish of the running media server" } as PublishDecision
      }
      if (server === "gateway") return yield* bridgedPublish(instanceId, clientId, form)
      const answer = yield* control
        .publish({
          protocol: server,
          bootId: nginx.bootId,
          nginxRun: instanceId,
          clientId,
          streamName: (form["name"] ?? "").slice(0, 256),
          address: (form["addr"] ?? "").slice(0, 64)
        })
        .pipe(
          Effect.catch((error) =>
            Effect.as(Effect.logWarning(`media: publish not decided: ${error.message}`), {
              _tag: "Refused" as const,
              reason: "control plane unreachable"
            })
          )
        )
      if (answer._tag === "Refused") return answer
      // The nginx that asked may have stopped meanwhile: its connections are not this one's.
      if (!nginx.isCurrent(instanceId)) return { _tag: "Refused", reason: "media server restarted" } as PublishDecision
      const { ingestId, livestreamId, sessionId } = answer
      const renditions = answer.renditions ?? []
      const latencyMode = answer.latencyMode ?? "standard"
      const dvrWindowSeconds = answer.dvrWindowSeconds ?? 0
      const slateImageUrl = answer.slateImageUrl ?? null
      nginx.connections.add(
        {
          clientId,
          ingestId,
          livestreamId,
          sessionId,
          server,
          renditions,
          latencyMode,
          dvrWindowSeconds,
          slateImageUrl
        },
        yield* Clock.currentTimeMillis
      )
      return { _tag: "Accepted", streamName: sessionId } as PublishDecision
    })

    const publishDone = Effect.fn("Publishing.publishDone")(function* (instanceId: string, form: CallbackForm) {
      const clientId = form["clientid"] ?? ""
      if (form["app"] !== PUBLISH_APP || !CLIENT_ID.test(clientId) || !nginx.isCurrent(instanceId)) return
      // Refused publishes were ended when refused; an earlier nginx's connections when it stopped.
      const connection = nginx.connections.remove(clientId)
      if (connection === undefined) return
      yield* control.publishDone(connection.ingestId).pipe(
        Effect.catch((error) =>
          Effect.andThen(
            Effect.sync(() => nginx.untoldEnds.add(connection.ingestId)),
            Effect.logWarning(`media: end of ${connection.ingestId} not told yet (told again): ${error.message}`)
          )
        )
      )
    })

    const relay = (instanceId: string, form: CallbackForm) =>
      Effect.gen(function* () {
        const instance = nginx.instance()
        if (instance === null || instance.id !== instanceId || form["app"] !== HLS_APP) return false
        if (!sameSecret(form["pageurl"] ?? "", instance.relaySecret)) return false
        const connection = nginx.connections.bySession(form["name"])
        if (connection === undefined || connection.relayed || !(yield* nginx.entitled(connection))) return false
        // Checked again after the read: another relay of the same connection may have been let in meanwhile.
        if (connection.relayed) return false
        connection.relayed = true
        return true
      })

    const relayDone = (instanceId: string, form: CallbackForm) =>
      Effect.sync(() => {
        if (!nginx.isCurrent(instanceId) || form["app"] !== HLS_APP) return
        const connection = nginx.connections.bySession(form["name"])
        if (connection !== undefined) connection.relayed = false
      })

    const update = (instanceId: string, form: CallbackForm) =>
      Effect.suspend(() => {
        // Relays inside nginx report as plays of an empty app: they are not publishers.
        if (form["app"] !== PUBLISH_APP) return Effect.succeed(true)
        if (!nginx.isCurrent(instanceId)) return Effect.succeed(false)
        const connection = nginx.connections.get(form["clientid"] ?? "")
        return connection === undefined ? Effect.succeed(false) : nginx.entitled(connection)
      })

    return Publishing.of({ publish, relay, relayDone, publishDone, update })
  })

  static readonly layer = Layer.effect(Publishing, Publishing.make)
}
