/**
 * nginx's callbacks decided: each turned into a core signal through the command path.
 *
 * - `publish` decides nginx's `on_publish`, whichever way in the publisher came: the core accepts (the
 *   answer renames the stream to the session id, so the key goes no further) or refuses with its reason.
 * - `relay` decides whether the `hls` application takes a stream: only nginx's own relay (it carries the
 *   run's relay secret) of a connection accepted here, once at a time (`relayDone` frees it again).
 * - `publishDone` and `update` answer the end of a publish and nginx's periodic question whether a live
 *   publisher may go on.
 */
import { CatalogReads } from "@onair/catalog"
import { type SessionId, StreamKey } from "@onair/core"
import { Context, Effect, Layer, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { ingestIdOf } from "./Connections.ts"
import { HLS_APP, type IngestServer, PUBLISH_APP } from "./NginxConfig.ts"
import { now, RunningNginx } from "./RunningNginx.ts"
import { sameSecret } from "./SameSecret.ts"

/** nginx's form fields for a callback (`app`, `name`, `clientid`, `addr`, `call`, …). */
export type CallbackForm = Readonly<Record<string, string | undefined>>

export type PublishAnswer =
  | { readonly _tag: "Accepted"; readonly streamName: SessionId }
  | { readonly _tag: "Refused"; readonly reason: string }

/** nginx's client ids are counters. */
const CLIENT_ID = /^\d{1,18}$/
const isStreamKey = Schema.is(StreamKey)

export class Publishing extends Context.Service<Publishing, {
  readonly publish: (instanceId: string, server: IngestServer, form: CallbackForm) => Effect.Effect<PublishAnswer>
  /** Whether the `hls` application may take this stream: nginx's relay of an accepted connection only. */
  readonly relay: (instanceId: string, form: CallbackForm) => Effect.Effect<boolean>
  /** A relay ended: nginx may relay that connection again (its push reconnects after a failure). */
  readonly relayDone: (instanceId: string, form: CallbackForm) => Effect.Effect<void>
  readonly publishDone: (instanceId: string, form: CallbackForm) => Effect.Effect<void>
  /** Whether a live publisher may go on. */
  readonly update: (instanceId: string, form: CallbackForm) => Effect.Effect<boolean>
}>()("@onair/adapters-media/Publishing") {
  static readonly make = Effect.gen(function*() {
    const nginx = yield* RunningNginx
    const catalog = yield* CatalogReads

    const publish = Effect.fn("Publishing.publish")(function*(instanceId: string, server: IngestServer, form: CallbackForm) {
      const clientId = form["clientid"] ?? ""
      const key = form["name"] ?? ""
      if (!nginx.isCurrent(instanceId) || form["app"] !== PUBLISH_APP || !CLIENT_ID.test(clientId)) {
        return { _tag: "Refused", reason: "not a publish of the running media server" } as PublishAnswer
      }
      // A name that cannot be a key matches no livestream; nothing is recorded for it.
      if (!isStreamKey(key)) return { _tag: "Refused", reason: "unknown key" } as PublishAnswer
      const ingestId = ingestIdOf(instanceId, clientId)
      const at = yield* now
      const signal = {
        _tag: "Publish",
        at,
        ingestId,
        streamKey: key,
        publisher: { ip: (form["addr"] ?? "").slice(0, 64), port: 0 },
        sessionId: randomUUID() as SessionId
      } as const
      const decided = yield* nginx.send(signal, `media:${ingestId}:publish`)
      // Fails closed: without a recorded decision nothing publishes.
      const ingest = decided ? yield* catalog.ingest(ingestId) : undefined
      if (ingest === undefined) return { _tag: "Refused", reason: "publish not decided" } as PublishAnswer
      if (ingest.verdict._tag === "Refused") {
        // nginx reports no end for a publish it was told to refuse: the connection is over now.
        yield* nginx.send({ _tag: "Unpublish", at, ingestId }, `media:${ingestId}:done`, ["IngestAlreadyDisconnected"])
        return { _tag: "Refused", reason: ingest.verdict.reason } as PublishAnswer
      }
      const { livestreamId, sessionId } = ingest.verdict
      nginx.connections.add({ clientId, ingestId, livestreamId, sessionId, server })
      return { _tag: "Accepted", streamName: sessionId } as PublishAnswer
    })

    const publishDone = Effect.fn("Publishing.publishDone")(function*(instanceId: string, form: CallbackForm) {
      const clientId = form["clientid"] ?? ""
      if (form["app"] !== PUBLISH_APP || !CLIENT_ID.test(clientId)) return
      if (nginx.isCurrent(instanceId)) nginx.connections.remove(clientId)
      const ingestId = ingestIdOf(instanceId, clientId)
      // Ends of refused or never-recorded publishes have nothing left to end.
      yield* nginx.send({ _tag: "Unpublish", at: yield* now, ingestId }, `media:${ingestId}:done`, [
        "IngestAlreadyDisconnected",
        "IngestNotFound"
      ])
    })

    const relay = (instanceId: string, form: CallbackForm) =>
      Effect.gen(function*() {
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
