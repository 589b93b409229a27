/**
 * nginx as a child process of OnAir: prepared (folders, config, certificate), validated with `nginx -t`,
 * started in the foreground, watched until it exits, restarted with back-off, and stopped cleanly (SIGQUIT,
 * then SIGTERM, then SIGKILL) when OnAir stops.
 *
 * nginx never outlives OnAir: it is started through `setpriv --pdeathsig SIGTERM`, so the kernel tells its
 * master to shut down fast (closing every listener) the moment OnAir dies, even by SIGKILL. An nginx left
 * behind all the same (no setpriv) is found by its pid file and stopped before a new one starts.
 */
import { Data, Deferred, Duration, Effect, Exit, type Scope } from "effect"
import { execFile, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as NginxConfig from "./NginxConfig.ts"

export class NginxUnavailable extends Data.TaggedError("NginxUnavailable")<{ readonly message: string }> {}

/** One run of nginx: a new id each start, so connections of different runs never share an ingest id. */
export interface NginxInstance {
  readonly id: string
  readonly pid: number
  /** nginx's loopback HTTP server with its secret prefix: `/stat` and `/control` go after it. */
  readonly controlUrl: string
  /** What nginx's relay presents to the `hls` application. */
  readonly relaySecret: string
  /** The loopback RTMP listener of the `hls` application: a session's media is `<relayUrl>/<session id>`. */
  readonly relayUrl: string
  /** The `gateway` ingest server's publish application, where the node's bridges push (`<gatewayUrl>/<session id>`). */
  readonly gatewayUrl: string
  /** The `srt` ingest server's publish application, where the node's SRT listeners push (`<srtUrl>/<key>`). */
  readonly srtUrl: string
}

const SETPRIV = "/usr/bin/setpriv"

/**
 * The command that runs nginx: through setpriv with a parent-death signal where the machine has it
 * (util-linux, in every Debian), so nginx goes when OnAir goes, however OnAir goes.
 */
export const command = (
  nginx: string,
  args: ReadonlyArray<string>
): { readonly file: string; readonly args: ReadonlyArray<string> } =>
  Fs.existsSync(SETPRIV)
    ? { file: SETPRIV, args: ["--pdeathsig", "SIGTERM", "--", nginx, ...args] }
    : { file: nginx, args }

/** Runs a program to its end; its exit code (-1 when it could not run) and what it printed. */
export const run = (file: string, args: ReadonlyArray<string>) =>
  Effect.callback<{ readonly code: number; readonly output: string }>((resume) => {
    execFile(file, [...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
      resume(Effect.succeed({ code, output: `${stdout}${stderr}`.trim() }))
    })
  })

/**
 * A self-signed certificate for `localhost` and 127.0.0.1 in `dir`, made with openssl the first time:
 * enough for local RTMPS (ffmpeg does not verify certificates by default). Production sets its own.
 */
export const selfSignedCertificate = (dir: string) =>
  Effect.gen(function* () {
    const certificate = Path.join(dir, "tls", "localhost.crt")
    const key = Path.join(dir, "tls", "localhost.key")
    if (Fs.existsSync(certificate) && Fs.existsSync(key)) return { certificate, key }
    // Only the key's folder is private: nginx's workers (`nobody` when OnAir is root) walk the media folder.
    yield* Effect.sync(() => {
      Fs.mkdirSync(dir, { recursive: true })
      Fs.mkdirSync(Path.dirname(certificate), { recursive: true, mode: 0o700 })
    })
    const made = yield* run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "825",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      certificate
    ])
    if (made.code !== 0) {
      return yield* Effect.fail(
        new NginxUnavailable({ message: `openssl could not make a certificate: ${made.output}` })
      )
    }
    yield* Effect.sync(() => Fs.chmodSync(key, 0o600))
    return { certificate, key }
  })

/** True when `nginx -v` answers and both modules OnAir loads are there. */
export const isInstalled = (nginx: string, moduleDir: string, tls: boolean) =>
  Effect.map(run(nginx, ["-v"]), ({ code, output }) => {
    if (code !== 0) return { installed: false, why: `${nginx} did not run (${output || "not found"})` } as const
    const modules = ["ngx_rtmp_module.so", ...(tls ? ["ngx_stream_module.so"] : [])]
    const missing = modules.filter((module) => !Fs.existsSync(Path.join(moduleDir, module)))
    return missing.length === 0
      ? ({ installed: true, why: output } as const)
      : ({ installed: false, why: `${missing.join(", ")} missing in ${moduleDir}` } as const)
  })

/** Folders, the config and a check by nginx itself; fails with nginx's own words when it refuses. */
export const prepare = (nginx: string, settings: NginxConfig.NginxSettings) =>
  Effect.gen(function* () {
    const paths = NginxConfig.paths(settings.dir)
    yield* Effect.sync(() => {
      // Owner-only: the config holds the callback, relay and control secrets; HLS is served through OnAir.
      Fs.mkdirSync(settings.dir, { recursive: true, mode: 0o700 })
      Fs.chmodSync(settings.dir, 0o700)
      for (const dir of [Path.dirname(paths.config), paths.logs, paths.hls, paths.recordingParts, paths.temp]) {
        Fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
      }
      Fs.writeFileSync(paths.config, NginxConfig.render(settings), { mode: 0o600 })
      Fs.chmodSync(paths.config, 0o600)
    })
    const check = yield* run(nginx, ["-t", "-q", "-p", settings.dir, "-c", paths.config, "-e", paths.errorLog])
    if (check.code !== 0) {
      return yield* Effect.fail(new NginxUnavailable({ message: `nginx refused its configuration: ${check.output}` }))
    }
  })

/** Sends `signal` to `pid`; false when there is no such process (any more). */
const signalProcess = (pid: number, signal: NodeJS.Signals | 0) =>
  Effect.try({ try: () => process.kill(pid, signal), catch: () => false }).pipe(Effect.orElseSucceed(() => false))

/** A text file's content, or null when it cannot be read. */
const readText = (path: string) =>
  Effect.try({ try: () => Fs.readFileSync(path, "utf8"), catch: () => null }).pipe(Effect.orElseSucceed(() => null))

const awaitGone = (pid: number): Effect.Effect<void> =>
  Effect.flatMap(signalProcess(pid, 0), (alive) =>
    alive ? Effect.andThen(Effect.sleep(50), awaitGone(pid)) : Effect.void
  )

/** Stops an nginx that a previous OnAir left running on this folder (it was killed, not stopped). */
export const stopLeftover = (dir: string) =>
  Effect.gen(function* () {
    const paths = NginxConfig.paths(dir)
    const pid = Number.parseInt((yield* readText(paths.pid))?.trim() ?? "", 10)
    if (!Number.isInteger(pid) || pid <= 0 || !(yield* signalProcess(pid, 0))) return
    // Only an nginx started on this very config: a reused pid belongs to somebody else.
    const commandLine = yield* readText(`/proc/${pid}/cmdline`)
    if (commandLine === null || !commandLine.includes(paths.config)) return
    yield* Effect.logWarning(`media: stopping nginx ${pid} left running by an earlier OnAir`)
    yield* terminate(pid)
  })

/**
 * SIGQUIT (graceful), SIGTERM after 5 s, SIGKILL to its whole process group after 2 s more; resolves when
 * the process is gone.
 */
const terminate = (pid: number, exited?: Effect.Effect<void>) =>
  Effect.gen(function* () {
    const gone = exited ?? awaitGone(pid)
    for (const [signal, wait] of [
      ["SIGQUIT", 5],
      ["SIGTERM", 2],
      ["SIGKILL", 5]
    ] as const) {
      if (!(yield* signalProcess(signal === "SIGKILL" ? -pid : pid, signal))) return
      if ((yield* Effect.timeoutOption(gone, Duration.seconds(wait)))._tag === "Some") return
    }
  })

/** Waits until nginx answers on its control port, or it exits first. */
const awaitReady = (controlUrl: string, exited: Deferred.Deferred<number | null>) =>
  Effect.gen(function* () {
    for (let attempt = 0; attempt < 200; attempt++) {
      if (yield* Deferred.isDone(exited)) return false
      const ok = yield* Effect.promise(() =>
        fetch(`${controlUrl}/stat`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.ok,
          () => false
        )
      )
      if (ok) return true
      yield* Effect.sleep(Duration.millis(25))
    }
    return false
  })

export interface Started {
  readonly instance: NginxInstance
  /** Resolves with the exit code (null when killed by a signal) when this nginx exits by itself. */
  readonly exited: Effect.Effect<number | null>
}

/**
 * Starts nginx in the foreground for as long as the scope is open, stopping it gracefully when the scope
 * closes. Fails if it exits before it answers.
 */
export const start = (
  nginx: string,
  settings: NginxConfig.NginxSettings,
  instanceId: string
): Effect.Effect<Started, NginxUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const paths = NginxConfig.paths(settings.dir)
    const exited = yield* Deferred.make<number | null>()
    const child = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const run = command(nginx, ["-p", settings.dir, "-c", paths.config, "-e", paths.errorLog, "-g", "daemon off;"])
        const child = spawn(
          run.file,
          [...run.args],
          // Its own process group, so its workers can be found and stopped if the master dies alone.
          { stdio: ["ignore", "ignore", "pipe"], detached: true }
        )
        let stderr = ""
        child.stderr.on("data", (chunk: Buffer) => {
          stderr = `${stderr}${chunk.toString()}`.slice(-2000)
        })
        child.on("exit", (code) => Deferred.doneUnsafe(exited, Exit.succeed(code)))
        child.on("error", (error) => {
          stderr = error.message
          Deferred.doneUnsafe(exited, Exit.succeed(-1))
        })
        return { child, stderr: () => stderr }
      }),
      ({ child }) =>
        child.pid === undefined || child.exitCode !== null || child.signalCode !== null
          ? Effect.void
          : terminate(child.pid, Effect.asVoid(Deferred.await(exited)))
    )
    const controlUrl = NginxConfig.controlUrl(settings)
    if (!(yield* awaitReady(controlUrl, exited)) || child.child.pid === undefined) {
      const errorLog = ((yield* readText(paths.errorLog)) ?? "").trim().split("\n").slice(-3).join(" | ")
      return yield* Effect.fail(
        new NginxUnavailable({ message: `nginx did not start: ${child.stderr().trim() || errorLog || "no answer"}` })
      )
    }
    const pid = child.child.pid
    return {
      instance: {
        id: instanceId,
        pid,
        controlUrl,
        relaySecret: settings.relaySecret,
        relayUrl: `rtmp://127.0.0.1:${settings.relayPort}/${NginxConfig.HLS_APP}`,
        gatewayUrl: `rtmp://127.0.0.1:${settings.gatewayPort}/${NginxConfig.PUBLISH_APP}`,
        srtUrl: `rtmp://127.0.0.1:${settings.srtPort}/${NginxConfig.PUBLISH_APP}`
      },
      // A master killed outright leaves its workers holding the ports: they go with it.
      exited: Effect.tap(Deferred.await(exited), () => signalProcess(-pid, "SIGKILL"))
    }
  })
