/**
 * A media node as a process runs it: settings from the environment, whether nginx is there, the node's
 * pieces (`RunningNginx`, `Publishing`) on its `MediaControl`, its HLS playback routes, and its agent
 * (registration, heartbeats, nginx under the supervisor with its callbacks on a loopback listener of
 * their own, never a public port). The main job runs one embedded, on the control plane in-process;
 * `apps/media-node` runs one on its own, over HTTP.
 *
 * Without nginx (or with `ONAIR_MEDIA=off`) the process still runs: the log says why, and the node never
 * registers, so no publisher is placed on it.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { Cause, Config, Context, Duration, Effect, Layer, Schema } from "effect"
import { HttpRouter } from "effect/http"
import { randomBytes } from "node:crypto"
import { createServer } from "node:http"
import * as Path from "node:path"
import * as Callbacks from "./Callbacks.ts"
import * as MediaAgent from "./MediaAgent.ts"
import { MediaControl, type Registration } from "../protocol/MediaControl.ts"
import * as MediaSettings from "./MediaSettings.ts"
import * as NginxConfig from "./NginxConfig.ts"
import * as NginxProcess from "./NginxProcess.ts"
import * as NodeIdentity from "./NodeIdentity.ts"
import { OutboundClient } from "@onair/outbound"
import { LadderBudget } from "./LadderBudget.ts"
import * as Packagers from "./Packagers.ts"
import { SlateImages } from "./SlateImages.ts"
import * as Playback from "./Playback.ts"
import { Publishing } from "./Publishing.ts"
import { RunningNginx } from "./RunningNginx.ts"
import { Thumbnails } from "./Thumbnails.ts"
import { ViewerSeconds } from "./ViewerSeconds.ts"
import { WhipPublishers } from "./WhipPublishers.ts"
import * as WhipRoutes from "./WhipRoutes.ts"
import * as WhepRoutes from "./WhepRoutes.ts"
import { WhepViewers } from "./WhepViewers.ts"

/** A media node's HTTP port unless `PORT` says otherwise (the API's is 8787). */
export const DEFAULT_NODE_PORT = 8788

/**
 * Where low-latency HLS cuts its parts: a third of a second at most (RFC 8216bis suggests 0.2-0.5 s; shorter
 * parts mean more requests per viewer for little less delay).
 */
const LOW_LATENCY_PART_SECONDS = 0.3

/** OnAir's own slate, shown while a low-latency broadcast's encoder is away inside its reconnect window. */
const DEFAULT_SLATE_IMAGE = Path.join(import.meta.dirname, "../../assets/slate.png")

/** How often counted viewer seconds are stored. */
const VIEWER_FLUSH = Duration.seconds(5)

export class MediaServer extends Context.Service<
  MediaServer,
  {
    readonly settings: MediaSettings.MediaSettings
    /** Why nginx will not run here, or null when it will. */
    readonly unavailable: string | null
    /** The callback path's secret, made per process. */
    readonly secret: string
    /** This run of the node. */
    readonly bootId: string
    readonly viewers: ViewerSeconds
    /** The low-latency packagers' streams, which the agent runs and the playback routes serve. */
    readonly packagers: Packagers.Packagers
    /** Apps' own slate images, which the agent fetches and the packagers show. */
    readonly slateImages: SlateImages
  }
>()("@onair/adapters-media/MediaServer") {
  /** Settings from the environment (`dataDir` places the media folder) and a look for nginx. */
  static readonly fromEnv = (dataDir: string) =>
    Layer.effect(
      MediaServer,
      Effect.gen(function* () {
        const read = yield* MediaSettings.fromEnv(dataDir)
        const wantsTls = read.rtmpsPort !== 0
        const found =
          read.mode === "off"
            ? { installed: false, why: "ONAIR_MEDIA=off" }
            : yield* NginxProcess.isInstalled(read.nginx, read.moduleDir, wantsTls)
        if (!found.installed && read.mode === "on") {
          return yield* Effect.die(new Error(`media: ONAIR_MEDIA=on but nginx cannot run: ${found.why}`))
        }
        const tls =
          !found.installed || !wantsTls || read.tls !== null
            ? read.tls
            : yield* NginxProcess.selfSignedCertificate(read.dir).pipe(Effect.orDie)
        const slateImages = new SlateImages(Path.join(read.dir, "slates"))
        return {
          settings: { ...read, tls },
          unavailable: found.installed ? null : found.why,
          secret: randomBytes(24).toString("base64url"),
          bootId: NodeIdentity.newBootId(),
          viewers: new ViewerSeconds(),
          packagers: Packagers.make({
            partSeconds: LOW_LATENCY_PART_SECONDS,
            minSegmentSeconds: 1,
            windowSeconds: read.hlsPlaylistSeconds,
            dvrDir: NginxConfig.paths(read.dir).dvr,
            slateImage: DEFAULT_SLATE_IMAGE,
            slateImages,
            budget: new LadderBudget(read.abrCpuCores)
          }),
          slateImages
        }
      })
    )

  /** The node's running nginx and its callbacks' decisions, on the node's `MediaControl`. */
  static readonly node = Layer.provideMerge(
    Publishing.layer,
    Layer.unwrap(
      Effect.map(Effect.service(MediaServer), (media) =>
        RunningNginx.layer(NginxConfig.paths(media.settings.dir).hls, media.bootId)
      )
    )
  )

  /**
   * HLS and WebRTC (WHEP) playback of this node (a broadcast on another node is redirected there), and its
   * WHIP ingest.
   */
  static readonly routes = Layer.unwrap(
    Effect.gen(function* () {
      const media = yield* MediaServer
      const control = yield* MediaControl
      const nginx = yield* RunningNginx
      const whip = WhipRoutes.layer.pipe(
        Layer.provide(
          WhipPublishers.layer(
            media.unavailable === null ? media.settings.whip : null,
            media.settings.dir,
            media.settings.hlsFragmentSeconds * 1000
          )
        )
      )
      const local = { nodeId: control.nodeId, hlsDir: nginx.hlsDir, abrDir: NginxConfig.paths(media.settings.dir).abr }
      const whep = Layer.unwrap(
        Effect.map(Effect.service(WhepViewers), (viewers) =>
          WhepRoutes.layer({ lookup: control.playback, local, node: { viewers, sources: media.packagers.whepOf } })
        )
      ).pipe(Layer.provide(WhepViewers.layer(media.unavailable === null ? media.settings.whep : null, media.viewers)))
      return Layer.mergeAll(
        Playback.layer({
          lookup: control.playback,
          local,
          viewers: media.viewers,
          packagers: media.packagers,
          thumbnails: new Thumbnails(),
          fragmentSeconds: media.settings.hlsFragmentSeconds
        }),
        whip,
        whep
      )
    })
  )

  /** The node's HTTP server (HLS playback) on `PORT` (default 8788) and `HOST`, serving `routes`. */
  static readonly httpServer = <E, R>(routes: Layer.Layer<never, E, R>) =>
    Layer.unwrap(
      Effect.gen(function* () {
        const port = yield* Config.schema(
          Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 65_535 }))),
          "PORT"
        ).pipe(Config.withDefault(DEFAULT_NODE_PORT))
        const host = yield* Config.String("HOST").pipe(Config.withDefault("0.0.0.0"))
        return HttpRouter.serve(routes, { disableLogger: true }).pipe(
          Layer.provideMerge(NodeHttpServer.layer(createServer, { port, host }))
        )
      })
    )

  /**
   * Runs the node for as long as the layer lives: viewer seconds stored, and (when nginx is there) the
   * node registered with `registration` and nginx supervised.
   */
  static readonly agent = (registration: Omit<Registration, "bootId" | "follows">) =>
    Layer.effectDiscard(
      Effect.gen(function* () {
        const media = yield* MediaServer
        const control = yield* MediaControl
        const flush = media.viewers.flush.pipe(Effect.provideService(MediaControl, control))
        yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(VIEWER_FLUSH), flush)))
        yield* Effect.addFinalizer(() => flush)
        if (media.unavailable !== null) {
          yield* Effect.logWarning(
            `media: no media server (${media.unavailable}); this node does not register, and nothing can publish to it. ` +
              "Install nginx, libnginx-mod-rtmp and libnginx-mod-stream (Debian) to take RTMP."
          )
          return
        }
        const follows = yield* NodeIdentity.followBoot(media.settings.dir, media.bootId).pipe(Effect.orDie)
        const base = yield* Callbacks.serve(media.secret)
        yield* Effect.forkScoped(
          MediaAgent.run({
            settings: media.settings,
            registration: { ...registration, bootId: media.bootId, follows },
            viewers: media.viewers,
            packagers: media.packagers,
            slateImages: media.slateImages,
            callbackBase: base
          }).pipe(
            // Slate images come from the URLs apps give: through the one guarded outbound client.
            Effect.provide(OutboundClient.layer),
            Effect.catchCause((cause) => Effect.logError(`media: agent stopped: ${Cause.pretty(cause)}`))
          )
        )
      })
    )
}
