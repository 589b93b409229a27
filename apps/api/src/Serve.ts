/**
 * The main job: the API, the media control plane (node leases, the node API), one media node embedded
 * beside it (nginx, when installed; `ONAIR_MEDIA=off` leaves media to nodes of their own) and the worker
 * (due timers) in one process, on the database the environment names.
 */
import { AdminToken, DashboardFiles, HealthOptions, Metrics, Server } from "@onair/adapters-http"
import { WebhookWorker } from "@onair/adapters-webhook"
import {
  MediaControlPlane,
  MediaServer,
  MediaSettings,
  NodeIdentity,
  NodeLeaseWatch,
  RecordingDownloads,
  RecordingRetention,
  RecordingStore,
  RelayControl,
  TranscriptionEngine
} from "@onair/adapters-media"
import { PublicUrlsConfig, RecordingLinks, TimerWorker } from "@onair/application"
import { DueTimerClaims } from "@onair/coordination"
import { Database } from "@onair/event-store"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { HttpServer } from "effect/http"
import { randomBytes } from "node:crypto"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as LocalAdmin from "./LocalAdmin.ts"
import { services } from "./Services.ts"

/** Says where the server is, and leaves the local admin file while it runs on the embedded database. */
const announce = (choice: Database.DatabaseChoice, adminToken: string, made: boolean) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const server = yield* HttpServer.HttpServer
      const url = HttpServer.formatAddress(server.address).replace("0.0.0.0", "127.0.0.1")
      yield* Effect.logInfo(`OnAir API on ${url} (docs: ${url}/docs, OpenAPI: ${url}/openapi.json)`)
      yield* Effect.logInfo(
        choice._tag === "Postgres"
          ? "event store: PostgreSQL (DATABASE_URL)"
          : `event store: embedded, in ${Path.resolve(choice.dataDir)}`
      )
      if (made) yield* Effect.logInfo("admin token: made for this run (ONAIR_ADMIN_TOKEN is not set)")
      if (choice._tag === "Embedded") {
        // The tokens CLI cannot open the database this process holds; this file tells it how to ask instead.
        const dataDir = choice.dataDir
        yield* Effect.acquireRelease(
          // A token the operator gave stays in their environment only.
          Effect.sync(() => LocalAdmin.write(dataDir, { url, adminToken: made ? adminToken : null })),
          () => Effect.sync(() => LocalAdmin.remove(dataDir))
        )
      }
    })
  )

/**
 * The worker, in the same process: due timers (start timeouts, reconnect windows, maximum durations),
 * claimed from the catalog's livestream table (kept by whichever replica holds its projection), and
 * webhooks (outbox and deliveries).
 */
const worker = Layer.merge(
  // Timers are claimed from the catalog's livestream table, so replicas on one database fire each once.
  // ONAIR_TIMER_WORKER=off leaves them to the other replicas (API replicas kept free for requests).
  // Media nodes' leases are watched beside the timers, recordings past their app's retention deleted, and
  // restream relays started, retried and stopped with their sessions.
  Layer.effectDiscard(
    Effect.gen(function* () {
      const on = yield* Config.Boolean("ONAIR_TIMER_WORKER").pipe(Config.withDefault(true))
      if (!on) return
      const source = yield* DueTimerClaims.make
      yield* Effect.forkScoped(TimerWorker.run(source))
      yield* Effect.forkScoped(NodeLeaseWatch.run)
      yield* Effect.forkScoped(RecordingRetention.run)
      yield* Effect.forkScoped(RelayControl.run)
    })
  ),
  // ONAIR_WEBHOOK_WORKER=off leaves webhooks to `apps/worker` processes (PostgreSQL deployments).
  Layer.unwrap(
    Effect.gen(function* () {
      const on = yield* Config.Boolean("ONAIR_WEBHOOK_WORKER").pipe(Config.withDefault(true))
      const urls = yield* PublicUrlsConfig
      return on ? WebhookWorker.layer(urls) : Layer.empty
    })
  )
)

/**
 * The media plane of the main job: the node API and, unless `ONAIR_MEDIA=off`, the embedded node (its
 * playback on the API's server, its agent); with it off, `/hls` redirects to the nodes of their own.
 */
const mediaPlane = (dataDir: string) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const { mode, dir } = yield* MediaSettings.fromEnv(dataDir)
      if (mode === "off") {
        return Server.layer(
          Layer.mergeAll(
            MediaControlPlane.redirectingPlayback,
            MediaControlPlane.nodeApi,
            RecordingDownloads.controlPlaneRoutes(null)
          )
        ).pipe(Layer.provide(HealthOptions.apiOnly))
      }
      const identity = yield* NodeIdentity.fromEnv
      const urls = yield* PublicUrlsConfig
      const media = MediaServer.fromEnv(dataDir)
      const agent = Layer.unwrap(
        Effect.map(Effect.service(MediaServer), (server) =>
          MediaServer.agent(NodeIdentity.registration(identity, urls, server.settings.rtmpsPort !== 0))
        )
      )
      const routes = Layer.mergeAll(
        MediaServer.routes,
        MediaControlPlane.nodeApi,
        RecordingDownloads.controlPlaneRoutes({ nodeId: identity.nodeId, mediaDir: dir })
      )
      return Layer.merge(agent, Server.layer(routes).pipe(Layer.provide(HealthOptions.withMediaNode))).pipe(
        Layer.provideMerge(MediaServer.node),
        Layer.provideMerge(MediaControlPlane.embedded(identity.nodeId)),
        Layer.provideMerge(media)
      )
    })
  )

/**
 * The dashboard's build: `ONAIR_DASHBOARD_DIR`, or `@onair/dashboard`'s `dist` (scripts/setup.sh builds it).
 */
const dashboardFiles = Layer.unwrap(
  Effect.map(Config.String("ONAIR_DASHBOARD_DIR").pipe(Config.withDefault("")), (given) =>
    DashboardFiles.at(
      given !== ""
        ? given
        : Path.join(Path.dirname(fileURLToPath(import.meta.resolve("@onair/dashboard/package.json"))), "dist")
    )
  )
)

export const serve = Effect.gen(function* () {
  const choice = yield* Database.choiceFromEnv
  // Without a configured admin token, make one for this run: the local tokens CLI reads it from the data
  // directory, nobody else can.
  const configured = yield* Effect.service(AdminToken).pipe(Effect.provide(AdminToken.fromEnv))
  const adminToken = Option.match(configured, {
    onNone: () => randomBytes(32).toString("base64url"),
    onSome: Redacted.value
  })
  // The media folder goes under the data folder whichever database keeps the log.
  const dataDir = yield* Config.String("ONAIR_DATA_DIR").pipe(Config.withDefault(Database.DEFAULT_DATA_DIR))
  return yield* Layer.launch(
    Layer.mergeAll(announce(choice, adminToken, Option.isNone(configured)), worker, Metrics.listener).pipe(
      Layer.provideMerge(mediaPlane(dataDir)),
      Layer.provideMerge(MediaControlPlane.plane),
      Layer.provideMerge(MediaControlPlane.control),
      Layer.provideMerge(Layer.mergeAll(RecordingLinks.layer, RecordingStore.fromEnv, TranscriptionEngine.fromEnv)),
      Layer.provideMerge(PublicUrlsConfig.layer),
      Layer.provideMerge(services(choice)),
      Layer.provide(AdminToken.given(adminToken)),
      Layer.provide(dashboardFiles),
      Layer.provide(Metrics.MetricsAccess.fromEnv)
    )
  )
})
