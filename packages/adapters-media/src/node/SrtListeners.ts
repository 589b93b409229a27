/**
 * The node's SRT listeners: one supervised ffmpeg per port the control plane gives a livestream with SRT
 * on (`srt-listeners`). It listens on `ONAIR_SRT_HOST:<port>`, with the stream key as its passphrase.
 *
 * A caller with another passphrase fails the SRT handshake and never reaches nginx. A caller with the
 * key is relayed, without re-encoding, to nginx's loopback `srt` ingest server under the key. There the
 * publish is decided as an RTMP encoder's is, and recorded as SRT.
 *
 * ffmpeg takes one caller and exits when it leaves, so a listener starts again at once for the next one.
 * One that fails again and again backs off (1 s, doubling to 30 s). A listener whose livestream turned SRT
 * off, whose key changed, or whose nginx is gone, is stopped with SIGTERM and then SIGKILL. Each round
 * runs every second.
 *
 * The passphrase is on ffmpeg's command line, which local users can list unless `/proc` is mounted with
 * `hidepid=2`. The node says so when it starts listeners on a host where it is not (docs/security.md).
 */
import type { LivestreamId } from "@onair/core"
import { Clock, Effect } from "effect"
import * as Fs from "node:fs"
import { MediaControl, type SrtListenerAssignment } from "../protocol/MediaControl.ts"
import { FfmpegRun } from "./FfmpegRun.ts"
import { RunningNginx } from "./RunningNginx.ts"

const MAX_BACKOFF_MILLIS = 30_000
/** A listener that ran this long served a caller: it starts again at once, not after a back-off. */
const SERVED_MILLIS = 5_000

interface Listener {
  readonly livestreamId: LivestreamId
  readonly streamKey: string
  /** Where it relays: the running nginx's `srt` server (a new nginx run has another port). */
  readonly output: string
  run: FfmpegRun
  backoff: number
}

/** Whether `/proc` hides other users' processes (`hidepid=2` or `invisible`). */
export const procHidesProcesses = (mounts: string): boolean =>
  mounts.split("\n").some((line) => {
    const [, mountPoint, type, options] = line.split(" ")
    return mountPoint === "/proc" && type === "proc" && /(^|,)hidepid=(2|invisible)(,|$)/.test(options ?? "")
  })

/** ffmpeg's arguments for one listener, relaying to `output`. */
export const listenerArgs = (host: string, port: number, streamKey: string, output: string): ReadonlyArray<string> => [
  "-nostdin",
  "-hide_banner",
  "-loglevel",
  "error",
  // ffmpeg probes 5 s of an input by default: a second finds an encoder's H.264 and AAC in MPEG-TS.
  "-analyzeduration",
  "1000000",
  "-probesize",
  "1000000",
  "-i",
  `srt://${host.includes(":") ? `[${host}]` : host}:${port}?mode=listener&passphrase=${streamKey}&pbkeylen=16`,
  "-map",
  "0",
  "-c",
  "copy",
  "-f",
  "flv",
  "-rw_timeout",
  "10000000",
  output
]

export const make = (host: string) => {
  const running = new Map<number, Listener>()
  let warned = false

  const start = (port: number, streamKey: string, output: string) =>
    new FfmpegRun(listenerArgs(host, port, streamKey, output), { secrets: [streamKey] })

  const warnOnce = Effect.suspend(() => {
    if (warned) return Effect.void
    warned = true
    const mounts = Fs.existsSync("/proc/mounts") ? Fs.readFileSync("/proc/mounts", "utf8") : ""
    return procHidesProcesses(mounts)
      ? Effect.void
      : Effect.logWarning(
          "media: SRT listeners carry their stream keys (the passphrases) on ffmpeg's command line, and /proc here " +
            "lets every local user list them: mount /proc with hidepid=2 on a shared host (docs/security.md)"
        )
  })

  const round = Effect.gen(function* () {
    const nginx = yield* RunningNginx
    const control = yield* MediaControl
    const instance = nginx.instance()
    const assigned: ReadonlyArray<SrtListenerAssignment> = instance === null ? [] : yield* control.srtListeners()
    const wanted = new Map(assigned.map((assignment) => [assignment.port as number, assignment]))
    const outputOf = (assignment: SrtListenerAssignment) => `${instance?.srtUrl ?? ""}/${assignment.streamKey}`
    for (const [port, listener] of running) {
      const assignment = wanted.get(port)
      if (
        assignment !== undefined &&
        assignment.streamKey === listener.streamKey &&
        assignment.livestreamId === listener.livestreamId &&
        outputOf(assignment) === listener.output
      )
        continue
      listener.run.stop()
      running.delete(port)
    }
    if (instance === null || wanted.size === 0) return
    yield* warnOnce
    const now = yield* Clock.currentTimeMillis
    for (const [port, assignment] of wanted) {
      const output = outputOf(assignment)
      const listener = running.get(port)
      if (listener === undefined) {
        const { livestreamId, streamKey } = assignment
        running.set(port, { livestreamId, streamKey, output, run: start(port, streamKey, output), backoff: 1_000 })
        continue
      }
      const { exitedAt, startedAt } = listener.run
      if (exitedAt === null) continue
      // A listener that served a caller starts again at once; one that keeps failing backs off.
      const served = exitedAt - startedAt >= SERVED_MILLIS
      if (served) listener.backoff = 1_000
      if (!served && now - exitedAt < listener.backoff) continue
      if (!served) {
        yield* Effect.logWarning(
          `media: SRT listener on port ${port} stopped (${listener.run.messages.slice(-300)}); listening again`
        )
        listener.backoff = Math.min(listener.backoff * 2, MAX_BACKOFF_MILLIS)
      }
      listener.run = start(port, listener.streamKey, output)
    }
  }).pipe(Effect.catch((error) => Effect.logWarning(`media: SRT listeners not settled this round: ${error.message}`)))

  const stopAll = Effect.sync(() => {
    for (const listener of running.values()) listener.run.stop()
    running.clear()
  })

  return { round, stopAll }
}
