/**
 * Keeps nginx running for as long as OnAir runs: each run gets a new id, a freshly written and validated
 * config and its own callback path; when nginx exits by itself every connection it had ends with
 * `internal error` and a new nginx starts after a back-off (1 s, doubling to 30 s, back to 1 s after a
 * minute of good running). Beside it run the loops that act on its publishers.
 */
import type { Packagers } from "./Packagers.ts"
import type { SlateImages } from "./SlateImages.ts"
import { Clock, Duration, Effect, Exit } from "effect"
import { randomBytes } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { createServer } from "node:net"
import type { MediaSettings } from "./MediaSettings.ts"
import * as KeyframeIntervals from "./KeyframeIntervals.ts"
import * as LadderWorkers from "./LadderWorkers.ts"
import * as ComposerProxy from "./ComposerProxy.ts"
import * as Composers from "./Composers.ts"
import * as SrtListeners from "./SrtListeners.ts"
import * as NginxConfig from "./NginxConfig.ts"
import type { NginxSettings } from "./NginxConfig.ts"
import * as NginxProcess from "./NginxProcess.ts"
import { enforce } from "./Enforcement.ts"
import { reportFirstHealth, reportHealth, type Variants } from "./HealthReports.ts"
import { sweepHls } from "./HlsSweep.ts"
import { reportManifests } from "./ManifestReports.ts"
import { finaliseEnded, sweepDeleted } from "./RecordingJobs.ts"
import { makeTranscripts } from "./RecordingTranscripts.ts"
import { makeRelays } from "./RestreamRelays.ts"
import { makeUploads, uploadDeadlineFromEnv } from "./RecordingUploads.ts"
import { lost } from "./MediaLoss.ts"
import { NGINX_RESTARTS, restartForever } from "./RestartLoop.ts"
import { RunningNginx } from "./RunningNginx.ts"

/** A port the system has free now on loopback (for nginx's control server when none is configured). */
const freePort = Effect.callback<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

export const LOST_MESSAGE = "media server exited"

/** A new secret for one nginx run (hex: it goes into nginx's config and URLs as it is). */
const runSecret = () => randomBytes(24).toString("hex")

/** The nginx settings of one run: its loopback ports and secrets are its own. */
const nginxSettings = Effect.fnUntraced(function* (
  settings: MediaSettings,
  callbackBase: string,
  workerUser: string | null
) {
  const tls = settings.rtmpsPort === 0 || settings.tls === null ? null : settings.tls
  return {
    dir: settings.dir,
    moduleDir: settings.moduleDir,
    host: settings.host,
    rtmpPort: settings.rtmpPort,
    rtmps:
      tls === null
        ? null
        : { port: settings.rtmpsPort, certificate: tls.certificate, key: tls.key, backendPort: yield* freePort },
    relayPort: yield* freePort,
    relaySecret: runSecret(),
    gatewayPort: yield* freePort,
    srtPort: yield* freePort,
    controlPort: settings.controlPort === 0 ? yield* freePort : settings.controlPort,
    controlSecret: runSecret(),
    callbackBase,
    hlsFragmentSeconds: settings.hlsFragmentSeconds,
    hlsPlaylistSeconds: settings.hlsPlaylistSeconds,
    updateSeconds: settings.updateSeconds,
    workerUser
  } satisfies NginxSettings
})

/**
 * The user owning `dir`, when OnAir runs as root: nginx's worker must write HLS there, and nginx would
 * otherwise run it as `nobody`, who cannot enter a private data folder.
 */
const folderOwner = (dir: string): string | null => {
  if (process.getuid?.() !== 0) return null
  const uid = Fs.statSync(dir).uid
  const entry = Fs.readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((line) => line.split(":")[2] === String(uid))
  return entry?.split(":")[0] ?? (uid === 0 ? "root" : null)
}

/** One nginx run, to its exit; how long it ran. Fails when it cannot start. */
const runOnce = (settings: MediaSettings, callbackBase: (instanceId: string) => string) =>
  Effect.scoped(
    Effect.gen(function* () {
      const nginx = yield* RunningNginx
      const instanceId = randomBytes(4).toString("hex")
      const workerUser = yield* Effect.try({
        try: () => {
          Fs.mkdirSync(settings.dir, { recursive: true, mode: 0o700 })
          return folderOwner(settings.dir)
        },
        catch: (cause) => new NginxProcess.NginxUnavailable({ message: `media folder unusable: ${String(cause)}` })
      })
      const run = yield* nginxSettings(settings, callbackBase(instanceId), workerUser)
      yield* NginxProcess.prepare(settings.nginx, run)
      const started = yield* NginxProcess.start(settings.nginx, run, instanceId)
      yield* nginx.started(started.instance)
      const tls = run.rtmps === null ? "" : `, RTMPS on ${settings.host}:${run.rtmps.port}`
      yield* Effect.logInfo(
        `media: nginx ${started.instance.pid} takes RTMP on ${settings.host}:${settings.rtmpPort}${tls} (folder ${settings.dir})`
      )
      const startedAt = yield* Clock.currentTimeMillis
      const code = yield* started.exited
      return { code, ranFor: (yield* Clock.currentTimeMillis) - startedAt }
    })
  )

/** Runs nginx and its loops for ever (until interrupted, which stops nginx gracefully). */
export const run = (
  settings: MediaSettings,
  callbackBase: (instanceId: string) => string,
  packagers: Packagers,
  slateImages: SlateImages,
  composerRoom: Composers.ComposerRoom
) =>
  Effect.gen(function* () {
    // An nginx left by an earlier boot (its connections ended when this boot registered).
    yield* NginxProcess.stopLeftover(settings.dir)

    const every = <R>(interval: Duration.Input, loop: Effect.Effect<void, never, R>) =>
      Effect.forkScoped(Effect.forever(Effect.andThen(loop, Effect.sleep(interval))))
    const paths = NginxConfig.paths(settings.dir)
    const keyframes = KeyframeIntervals.make(paths.hls)
    const ladders = LadderWorkers.make({
      dir: paths.abr,
      budget: packagers.budget,
      fragmentSeconds: settings.hlsFragmentSeconds,
      playlistSeconds: settings.hlsPlaylistSeconds
    })
    yield* Effect.addFinalizer(() => ladders.stopAll)
    // A session's variants come from its ladder worker (standard HLS) or from its packager (low latency).
    const variants: Variants = {
      renditionsOf: (sessionId, health) => {
        const laddered = ladders.renditionsOf(sessionId, health)
        return laddered.length > 0 ? laddered : packagers.renditionsOf(sessionId, health)
      }
    }
    yield* every(
      Duration.millis(250),
      Effect.andThen(enforce, Effect.andThen(reportFirstHealth(keyframes, variants), reportManifests))
    )
    yield* every(Duration.seconds(settings.updateSeconds), reportHealth(keyframes, variants))
    yield* every(Duration.seconds(1), ladders.round)
    yield* Effect.addFinalizer(() => packagers.stopAll)
    // Often, so a low-latency broadcast's playlist starts soon after its encoder does.
    yield* every(Duration.millis(250), packagers.round)
    // A session without its encoder is asked about often: its slate stops, and its playlist ends, soon after.
    yield* every(Duration.seconds(2), packagers.sweep)
    yield* every(Duration.seconds(2), slateImages.round)
    if (settings.srtHost !== null) {
      const srt = SrtListeners.make(settings.srtHost)
      yield* Effect.addFinalizer(() => srt.stopAll)
      yield* every(Duration.seconds(1), srt.round)
    }
    if (settings.composer !== null) {
      // Every request a meeting page makes goes through the guarded proxy.
      const proxy = yield* ComposerProxy.make
      const loopback = settings.host === "0.0.0.0" || settings.host === "::" ? "127.0.0.1" : settings.host
      const composers = Composers.make({
        chromium: settings.composer.chromium,
        cpuCores: settings.composer.cpuCores,
        proxyPort: proxy.port,
        room: composerRoom,
        ingest: `rtmp://${loopback}:${settings.rtmpPort}/live`,
        dir: Path.join(settings.dir, "composers")
      })
      yield* Effect.addFinalizer(() => composers.stopAll)
      yield* every(Duration.seconds(1), composers.round)
    }
    yield* every(Duration.seconds(15), sweepHls(paths))
    yield* every(Duration.seconds(2), finaliseEnded(settings.dir))
    yield* every(Duration.seconds(10), sweepDeleted(settings.dir))
    const deadline = yield* Effect.orDie(uploadDeadlineFromEnv)
    yield* every(Duration.seconds(1), makeUploads(settings.dir, deadline))
    yield* every(Duration.seconds(2), makeTranscripts(settings.dir, deadline))
    const relays = makeRelays(settings.restreamCaFile)
    yield* every(Duration.millis(500), relays.round)
    yield* Effect.addFinalizer(() => relays.stopAll)

    return yield* restartForever(NGINX_RESTARTS, runOnce(settings, callbackBase), ({ exit, restartIn }) =>
      Effect.andThen(
        lost(LOST_MESSAGE),
        Exit.isSuccess(exit)
          ? Effect.logError(
              `media: nginx exited (code ${exit.value.code ?? "signal"}) after ${Math.round(exit.value.ranFor / 1000)} s; ` +
                `restarting in ${restartIn / 1000} s`
            )
          : Effect.logError(`media: nginx could not start (${String(exit.cause)}); retrying in ${restartIn / 1000} s`)
      )
    )
  })
