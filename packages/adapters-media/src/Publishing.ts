/**
 * OnAir's side of the media server: which nginx runs now, which publishers it has, and every decision about
 * them, each turned into a core signal through the command path.
 *
 * - `publish` decides nginx's `on_publish`, whichever way in the publisher came: the core accepts (the
 *   answer renames the stream to the session id, so the key goes no further) or refuses with its reason.
 * - `relay` decides whether the `hls` application takes a stream: only nginx's own relay (it carries the
 *   run's relay secret) of a connection accepted here, once.
 * - `publishDone` and `update` answer the end of a publish and nginx's periodic question whether a live
 *   publisher may go on.
 * - `enforce` drops every publisher whose livestream no longer has it (disabled, stopped, deleted, maximum
 *   duration reached): the key is refused first by the core, so the encoder cannot come back.
 * - `sample` reports health from `/stat` and the first playlist of each connection.
 * - `lost` ends every connection of an nginx that is gone with `internal error`.
 */
import { LiveCatalog } from "@onair/catalog"
import {
  type IngestId,
  originMetadata,
  type SessionId,
  type IngestSignal,
  StreamKey,
  Timestamp
} from "@onair/core"
import { awaitReadModel, CommandHandler } from "@onair/application"
import { Clock, Context, Effect, Layer, Schema } from "effect"
import { randomUUID } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { type Connection, Connections, ingestIdOf } from "./Connections.ts"
import { HLS_APP, INGEST_SERVERS, type IngestServer, PUBLISH_APP } from "./NginxConfig.ts"
import type { NginxInstance } from "./NginxProcess.ts"
import * as NginxStat from "./NginxStat.ts"
import { sameSecret } from "./SameSecret.ts"

/** nginx's form fields for a callback (`app`, `name`, `clientid`, `addr`, `call`, …). */
export type CallbackForm = Readonly<Record<string, string | undefined>>

export type PublishAnswer =
  | { readonly _tag: "Accepted"; readonly streamName: SessionId }
  | { readonly _tag: "Refused"; readonly reason: string }

const ACTOR = "system:media"
/** nginx's client ids are counters. */
const CLIENT_ID = /^\d{1,18}$/
const isStreamKey = Schema.is(StreamKey)

/** How long an ended session's HLS folder stays. */
const HLS_GRACE_MILLIS = 30_000

const now = Effect.map(Clock.currentTimeMillis, (millis) => Timestamp.make(millis))

export class Publishing extends Context.Service<Publishing, {
  /** The nginx that runs now, or null. */
  readonly instance: () => NginxInstance | null
  /** Where nginx writes HLS: one folder per session. */
  readonly hlsDir: string
  readonly publish: (instanceId: string, server: IngestServer, form: CallbackForm) => Effect.Effect<PublishAnswer>
  /** Whether the `hls` application may take this stream: nginx's relay of an accepted connection only. */
  readonly relay: (instanceId: string, form: CallbackForm) => Effect.Effect<boolean>
  /** A relay ended: nginx may relay that connection again (its push reconnects after a failure). */
  readonly relayDone: (instanceId: string, form: CallbackForm) => Effect.Effect<void>
  readonly publishDone: (instanceId: string, form: CallbackForm) => Effect.Effect<void>
  /** Whether a live publisher may go on. */
  readonly update: (instanceId: string, form: CallbackForm) => Effect.Effect<boolean>
  /** nginx `instance` runs now and accepts publishers. */
  readonly started: (instance: NginxInstance) => Effect.Effect<void>
  /**
   * The media server is gone (or was never OnAir's: start-up): every connection the catalog holds as
   * publishing is over, and its broadcast ends with `internal error`.
   */
  readonly lost: (message: string) => Effect.Effect<void>
  /** Drops publishers that lost their right to publish. */
  readonly enforce: Effect.Effect<void>
  /** Reports each connection's first playlist. */
  readonly reportManifests: Effect.Effect<void>
  /** Reports each connection's health from `/stat`. */
  readonly reportHealth: Effect.Effect<void>
  /** Removes HLS folders of sessions that are over (nginx leaves them; a new session never reads them). */
  readonly sweepHls: Effect.Effect<void>
}>()("@onair/adapters-media/Publishing") {
  static readonly make = (hlsDir: string) =>
    Effect.gen(function*() {
      const commands = yield* CommandHandler
      const catalog = yield* LiveCatalog
      const connections = new Connections()
      let running: NginxInstance | null = null
      let healthRound = 0

      /**
       * Sends a signal and waits until the catalog has it; false when it was not recorded (a refusal other
       * than the ones `expected` names is logged).
       */
      const send = (signal: IngestSignal, commandId: string, expected: ReadonlyArray<string> = []) =>
        commands.handle(signal, originMetadata(commandId, ACTOR, signal.at)).pipe(
          awaitReadModel(catalog),
          Effect.as(true),
          Effect.catch((error) =>
            expected.includes(error._tag)
              ? Effect.succeed(false)
              : Effect.as(Effect.logWarning(`media: ${signal._tag} of ${signal.ingestId} not recorded: ${error._tag}`), false)
          )
        )

      const isCurrent = (instanceId: string) => running !== null && running.id === instanceId

      const publish = Effect.fn("Publishing.publish")(function*(instanceId: string, server: IngestServer, form: CallbackForm) {
        const clientId = form["clientid"] ?? ""
        const key = form["name"] ?? ""
        if (!isCurrent(instanceId) || form["app"] !== PUBLISH_APP || !CLIENT_ID.test(clientId)) {
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
        const decided = yield* send(signal, `media:${ingestId}:publish`)
        // Fails closed: without a recorded decision nothing publishes.
        const ingest = decided ? catalog.currentSync().ingest(ingestId) : undefined
        if (ingest === undefined) return { _tag: "Refused", reason: "publish not decided" } as PublishAnswer
        if (ingest.verdict._tag === "Refused") {
          // nginx reports no end for a publish it was told to refuse: the connection is over now.
          yield* send({ _tag: "Unpublish", at, ingestId }, `media:${ingestId}:done`, ["IngestAlreadyDisconnected"])
          return { _tag: "Refused", reason: ingest.verdict.reason } as PublishAnswer
        }
        const { livestreamId, sessionId } = ingest.verdict
        connections.add({ clientId, ingestId, livestreamId, sessionId, server })
        return { _tag: "Accepted", streamName: sessionId } as PublishAnswer
      })

      const publishDone = Effect.fn("Publishing.publishDone")(function*(instanceId: string, form: CallbackForm) {
        const clientId = form["clientid"] ?? ""
        if (form["app"] !== PUBLISH_APP || !CLIENT_ID.test(clientId)) return
        if (isCurrent(instanceId)) connections.remove(clientId)
        const ingestId = ingestIdOf(instanceId, clientId)
        // Ends of refused or never-recorded publishes have nothing left to end.
        yield* send({ _tag: "Unpublish", at: yield* now, ingestId }, `media:${ingestId}:done`, [
          "IngestAlreadyDisconnected",
          "IngestNotFound"
        ])
      })

      const relay = (instanceId: string, form: CallbackForm) =>
        Effect.sync(() => {
          const instance = running
          if (instance === null || instance.id !== instanceId || form["app"] !== HLS_APP) return false
          if (!sameSecret(form["pageurl"] ?? "", instance.relaySecret)) return false
          const connection = connections.all().find((c) => c.sessionId === form["name"])
          if (connection === undefined || connection.relayed || !entitled(connection)) return false
          connection.relayed = true
          return true
        })

      const relayDone = (instanceId: string, form: CallbackForm) =>
        Effect.sync(() => {
          if (!isCurrent(instanceId) || form["app"] !== HLS_APP) return
          const connection = connections.all().find((c) => c.sessionId === form["name"])
          if (connection !== undefined) connection.relayed = false
        })

      /** Whether the livestream of `connection` still has it as its publisher. */
      const entitled = (connection: Pick<Connection, "livestreamId" | "ingestId">): boolean => {
        const livestream = catalog.currentSync().livestreamById(connection.livestreamId)
        return livestream !== undefined && !livestream.deleted && livestream.broadcast._tag === "Connected" &&
          livestream.broadcast.ingestId === connection.ingestId
      }

      const update = (instanceId: string, form: CallbackForm) =>
        Effect.sync(() => {
          // Relays inside nginx report as plays of an empty app: they are not publishers.
          if (form["app"] !== PUBLISH_APP) return true
          if (!isCurrent(instanceId)) return false
          const connection = connections.get(form["clientid"] ?? "")
          return connection !== undefined && entitled(connection)
        })

      const lost = (message: string) =>
        Effect.gen(function*() {
          const ids = new Set<IngestId>(connections.all().map((connection) => connection.ingestId))
          for (const ingest of catalog.currentSync().connectedIngests()) ids.add(ingest.id)
          // From here on the old nginx's late callbacks are refused: its id is no longer the running one.
          running = null
          connections.clear()
          const at = yield* now
          for (const ingestId of ids) {
            yield* send({ _tag: "ReportMediaLost", at, ingestId, message }, `media:${ingestId}:lost`, [
              "IngestAlreadyDisconnected",
              "IngestNotFound"
            ])
          }
          if (ids.size > 0) yield* Effect.logWarning(`media: ${ids.size} connection(s) ended: ${message}`)
        })

      const dropUrl = (instance: NginxInstance, connection: Connection) =>
        `${instance.controlUrl}/control/drop/client?srv=${INGEST_SERVERS.indexOf(connection.server)}&app=${PUBLISH_APP}` +
        `&name=${connection.sessionId}&clientid=${connection.clientId}`

      const enforce = Effect.gen(function*() {
        const instance = running
        if (instance === null) return
        for (const connection of connections.all()) {
          if (connection.dropRequested || entitled(connection)) continue
          connection.dropRequested = true
          yield* Effect.tryPromise((signal) => fetch(dropUrl(instance, connection), { signal })).pipe(
            Effect.timeout("2 seconds"),
            Effect.tapError(() => Effect.sync(() => (connection.dropRequested = false))),
            Effect.catch((error) => Effect.logWarning(`media: could not drop ${connection.ingestId}: ${String(error)}`))
          )
        }
      })

      const reportManifests = Effect.gen(function*() {
        for (const connection of connections.all()) {
          if (connection.manifestReported) continue
          if (!Fs.existsSync(Path.join(hlsDir, connection.sessionId, "index.m3u8"))) continue
          connection.manifestReported = true
          yield* send(
            { _tag: "ReportManifest", at: yield* now, ingestId: connection.ingestId },
            `media:${connection.ingestId}:manifest`,
            ["IngestNotConnected"]
          )
        }
      })

      const reportHealth = Effect.gen(function*() {
        const instance = running
        if (instance === null || connections.size === 0) return
        const streams = yield* NginxStat.read(instance.controlUrl).pipe(
          Effect.catch((error) => Effect.as(Effect.logWarning(`media: ${String(error)}`), []))
        )
        const round = ++healthRound
        for (const stream of streams) {
          const connection = stream.publisherClientId === null ? undefined : connections.get(stream.publisherClientId)
          // Until nginx has read the stream's metadata there is nothing to report.
          if (connection === undefined || connection.sessionId !== stream.name || stream.health.width === 0) continue
          yield* send(
            { _tag: "ReportHealth", at: yield* now, ingestId: connection.ingestId, health: stream.health },
            `media:${connection.ingestId}:health:${round}`,
            ["IngestNotConnected"]
          )
        }
      })

      const sweepHls = Effect.gen(function*() {
        const live = new Set<string>()
        for (const livestream of catalog.currentSync().allLivestreams()) {
          const broadcast = livestream.broadcast
          if (broadcast._tag === "Connected" || broadcast._tag === "Reconnecting") live.add(broadcast.sessionId)
        }
        const at = yield* Clock.currentTimeMillis
        yield* Effect.try({
          try: () => {
            for (const name of Fs.existsSync(hlsDir) ? Fs.readdirSync(hlsDir) : []) {
              const folder = Path.join(hlsDir, name)
              // A grace period lets players finish the segment they are fetching.
              if (live.has(name) || at - Fs.statSync(folder).mtimeMs < HLS_GRACE_MILLIS) continue
              Fs.rmSync(folder, { recursive: true, force: true })
            }
          },
          catch: (cause) => cause
        }).pipe(Effect.catch((cause) => Effect.logWarning(`media: HLS sweep: ${String(cause)}`)))
      })

      return Publishing.of({
        instance: () => running,
        hlsDir,
        publish,
        relay,
        relayDone,
        publishDone,
        update,
        started: (instance) =>
          Effect.sync(() => {
            running = instance
            connections.clear()
          }),
        lost,
        enforce,
        reportManifests,
        reportHealth,
        sweepHls
      })
    })

  static readonly layer = (hlsDir: string) => Layer.effect(Publishing, Publishing.make(hlsDir))
}
