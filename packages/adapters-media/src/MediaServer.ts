/**
 * The media server as the main job runs it: settings from the environment, whether nginx is there, the
 * `MediaPlane` the API's views read, the playback routes on the API's server, and the supervisor that runs
 * nginx with its callbacks on a loopback listener of their own (never the public API port).
 *
 * Without nginx (or with `ONAIR_MEDIA=off`) the API still runs: the log says why, every broadcast waits
 * ("provisioning" in the views) and playback answers 404.
 */
import { MediaPlane } from "@onair/core"
import { CommandHandler } from "@onair/application"
import { Cause, Context, Duration, Effect, Layer } from "effect"
import { randomBytes } from "node:crypto"
import * as Callbacks from "./Callbacks.ts"
import * as MediaSettings from "./MediaSettings.ts"
import * as NginxConfig from "./NginxConfig.ts"
import * as NginxProcess from "./NginxProcess.ts"
import * as Playback from "./Playback.ts"
import * as MediaLoss from "./MediaLoss.ts"
import { Publishing } from "./Publishing.ts"
import { RunningNginx } from "./RunningNginx.ts"
import * as Supervisor from "./Supervisor.ts"
import { ViewerSeconds } from "./ViewerSeconds.ts"

/** How often counted viewer seconds are stored. */
const VIEWER_FLUSH = Duration.seconds(5)

export class MediaServer extends Context.Service<MediaServer, {
  readonly settings: MediaSettings.MediaSettings
  /** Why nginx will not run here, or null when it will. */
  readonly unavailable: string | null
  /** The callback path's secret, made per process. */
  readonly secret: string
  readonly viewers: ViewerSeconds
}>()("@onair/adapters-media/MediaServer") {
  /** Settings from the environment (`dataDir` places the media folder) and a look for nginx. */
  static readonly fromEnv = (dataDir: string) =>
    Layer.effect(
      MediaServer,
      Effect.gen(function*() {
        const read = yield* MediaSettings.fromEnv(dataDir)
        const wantsTls = read.rtmpsPort !== 0
        const found = read.mode === "off"
          ? { installed: false, why: "ONAIR_MEDIA=off" }
          : yield* NginxProcess.isInstalled(read.nginx, read.moduleDir, wantsTls)
        if (!found.installed && read.mode === "on") {
          return yield* Effect.die(new Error(`media: ONAIR_MEDIA=on but nginx cannot run: ${found.why}`))
        }
        const tls = !found.installed || !wantsTls || read.tls !== null
          ? read.tls
          : yield* NginxProcess.selfSignedCertificate(read.dir).pipe(Effect.orDie)
        return {
          settings: { ...read, tls },
          unavailable: found.installed ? null : found.why,
          secret: randomBytes(24).toString("base64url"),
          viewers: new ViewerSeconds()
        }
      })
    )

  /** The running nginx, its callbacks' decisions, and the `MediaPlane` they answer: accepting while an nginx runs. */
  static readonly plane = Layer.effect(
    MediaPlane,
    Effect.map(Effect.service(RunningNginx), (nginx) => ({
      accepting: Effect.sync(() => nginx.instance() !== null)
    }))
  ).pipe(
    Layer.provideMerge(Publishing.layer),
    Layer.provideMerge(Layer.unwrap(Effect.map(
      Effect.service(MediaServer),
      (media) => RunningNginx.layer(NginxConfig.paths(media.settings.dir).hls)
    )))
  )

  /** HLS playback, on the API's server. */
  static readonly routes = Layer.unwrap(Effect.map(
    Effect.service(MediaServer),
    (media) => Playback.layer(media.viewers, media.settings.hlsFragmentSeconds)
  ))

  /** Runs nginx (when it is there) and stores viewer seconds, for as long as the layer lives. */
  static readonly supervisor = Layer.effectDiscard(Effect.gen(function*() {
    const media = yield* MediaServer
    const commands = yield* CommandHandler
    const flush = media.viewers.flush.pipe(Effect.provideService(CommandHandler, commands))
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(VIEWER_FLUSH), flush)))
    yield* Effect.addFinalizer(() => flush)
    if (media.unavailable !== null) {
      yield* Effect.logWarning(
        `media: no media server (${media.unavailable}); the API runs, but nothing can publish. ` +
          "Install nginx, libnginx-mod-rtmp and libnginx-mod-stream (Debian) to take RTMP."
      )
      // Broadcasts left publishing by an earlier run have no media any more.
      yield* MediaLoss.lost(Supervisor.LOST_MESSAGE)
      return
    }
    const base = yield* Callbacks.serve(media.secret)
    yield* Effect.forkScoped(
      Supervisor.run(media.settings, base).pipe(
        Effect.catchCause((cause) => Effect.logError(`media: supervisor stopped: ${Cause.pretty(cause)}`))
      )
    )
  }))
}

