/**
 * A media node's restream relays: one supervised `ffmpeg -c copy` per target of each session it holds
 * (the control plane's `relays`), reading the session from nginx's loopback `hls` application and
 * publishing to the target (no re-encode), with read and write timeouts (`-rw_timeout`) so a dead target
 * cannot hang it, run by `FfmpegRun` as every ffmpeg worker is (parent-death signal, masked messages,
 * SIGTERM then SIGKILL).
 *
 * Each round (every half second): relays no longer assigned (stopped, retrying, another attempt) are stopped;
 * one that has sent bytes is reported connected once; one that exited is classified: an exit because the
 * session's media ended or is not there yet is no fault of the target (it starts again next round while
 * assigned), anything else is reported as a failed attempt with its reason (refused by the target,
 * unreachable, timed out, TLS error), and the control plane schedules the retry. Progress (bytes,
 * bitrate, frames, speed) is kept per relay from ffmpeg's `-progress` for the status.
 */
import type { RelayFailure, RestreamTargetId, SessionId } from "@onair/core"
import { Effect } from "effect"
import { type RelayAssignment, MediaControl } from "../protocol/MediaControl.ts"
import { FfmpegRun } from "./FfmpegRun.ts"
import { RunningNginx } from "./RunningNginx.ts"

/** Ten seconds without reading or writing a byte ends a relay (microseconds, as ffmpeg takes it). */
const RW_TIMEOUT_MICROS = "10000000"
const STOP_GRACE_MILLIS = 3_000
const MAX_STDERR = 16 * 1024

export interface RelayProgress {
  readonly bytes: number
  readonly bitrateKbps: number
  readonly frames: number
  readonly speed: number
}

interface Relay {
  readonly targetId: RestreamTargetId
  readonly sessionId: SessionId
  readonly run: number
  readonly input: string
  /** Its ffmpeg: what it said is kept with the target's key masked (the key is in the output URL). */
  ffmpeg: FfmpegRun | null
  progress: RelayProgress
  connectedTold: boolean
  exit: { readonly code: number | null } | null
}

/** Why an attempt failed, from what ffmpeg said; null when the input (the session's media) was the cause. */
export const classifyExit = (code: number | null, stderr: string, input: string): RelayFailure | null => {
  if (code === 0 || stderr.includes(input)) return null
  if (/tls|ssl|certificate|handshake/i.test(stderr)) return "TLS error"
  if (/timed? ?out|ETIMEDOUT/i.test(stderr)) return "timed out"
  if (
    /Connection refused|ECONNREFUSED|No route to host|Network is unreachable|Name or service not known|Failed to resolve/i.test(
      stderr
    )
  ) {
    return "unreachable"
  }
  if (
    /Server error|NetStream\.Publish|NetConnection\.Connect\.Rejected|Unauthorized|Forbidden|403|Broken pipe|Connection reset/i.test(
      stderr
    )
  ) {
    return "refused by the target"
  }
  return "relay failed"
}

/** ffmpeg's `-progress` block (`key=value` lines) folded into the relay's progress. */
export const readProgress = (previous: RelayProgress, text: string): RelayProgress => {
  const values = new Map<string, string>()
  for (const line of text.split("\n")) {
    const at = line.indexOf("=")
    if (at > 0) values.set(line.slice(0, at).trim(), line.slice(at + 1).trim())
  }
  const number = (key: string, fallback: number) => {
    const parsed = Number.parseFloat(values.get(key) ?? "")
    return Number.isFinite(parsed) ? parsed : fallback
  }
  return {
    bytes: number("total_size", previous.bytes),
    bitrateKbps: number("bitrate", previous.bitrateKbps),
    frames: number("frame", previous.frames),
    speed: number("speed", previous.speed)
  }
}

const targetUrl = (assignment: RelayAssignment) => `${assignment.url.replace(/\/+$/, "")}/${assignment.streamKey}`

/** `caFile`: the CA bundle an `rtmps://` target's certificate must chain to (unless the target opts out). */
const start = (assignment: RelayAssignment, input: string, caFile: string): Relay => {
  const tls =
    assignment.url.startsWith("rtmps://") && assignment.verifyTls ? ["-tls_verify", "1", "-ca_file", caFile] : []
  const args = [
    "-nostdin",
    "-hide_banner",
    "-loglevel",
    "error",
    "-rw_timeout",
    RW_TIMEOUT_MICROS,
    "-i",
    input,
    "-map",
    "0",
    "-c",
    "copy",
    "-f",
    "flv",
    "-rw_timeout",
    RW_TIMEOUT_MICROS,
    ...tls,
    "-progress",
    "pipe:1",
    "-nostats",
    targetUrl(assignment)
  ]
  const relay: Relay = {
    targetId: assignment.targetId,
    sessionId: assignment.sessionId,
    run: assignment.run,
    input,
    ffmpeg: null,
    progress: { bytes: 0, bitrateKbps: 0, frames: 0, speed: 0 },
    connectedTold: assignment.live,
    exit: null
  }
  // The stream key is in the output URL: ffmpeg's messages are kept (never logged) with it masked.
  relay.ffmpeg = new FfmpegRun(args, {
    secrets: [assignment.streamKey],
    mask: "<key>",
    maxMessages: MAX_STDERR,
    stopGraceMillis: STOP_GRACE_MILLIS,
    onOutput: (text) => (relay.progress = readProgress(relay.progress, text)),
    onExit: (exit) => (relay.exit = "error" in exit ? { code: -1 } : exit)
  })
  return relay
}

const stop = (relay: Relay) => Effect.sync(() => relay.ffmpeg?.stop())

/**
 * The relays loop's round (each running relay's progress goes to the control plane with it) and its stop.
 * `caFile`: what `rtmps://` targets' certificates are verified against.
 */
export const makeRelays = (caFile: string) => {
  const running = new Map<RestreamTargetId, Relay>()

  const round = Effect.gen(function* () {
    const nginx = yield* RunningNginx
    const control = yield* MediaControl
    const instance = nginx.instance()
    const progress = [...running.values()]
      .filter((relay) => relay.exit === null)
      .map((relay) => ({
        targetId: relay.targetId,
        sessionId: relay.sessionId,
        ...relay.progress
      }))
    const assigned = instance === null ? [] : yield* control.relays(progress)
    const wanted = new Map(assigned.map((assignment) => [assignment.targetId, assignment]))
    for (const [targetId, relay] of running) {
      const assignment = wanted.get(targetId)
      const same =
        assignment !== undefined &&
        assignment.sessionId === relay.sessionId &&
        (assignment.live || assignment.run === relay.run)
      if (!same) {
        yield* stop(relay)
        running.delete(targetId)
      }
    }
    if (instance === null) return
    for (const assignment of assigned) {
      const relay = running.get(assignment.targetId)
      if (relay !== undefined && relay.exit !== null) {
        running.delete(assignment.targetId)
        const reason = classifyExit(relay.exit.code, relay.ffmpeg?.messages ?? "", relay.input)
        if (reason !== null) {
          yield* Effect.logWarning(
            `media: relay ${assignment.targetId} of ${assignment.sessionId} failed (${reason}): ${relay.ffmpeg?.messages ?? "".slice(-300).trim()}`
          )
          yield* control.relayFailed(assignment.targetId, assignment.sessionId, reason)
        }
        continue
      }
      if (relay !== undefined) {
        if (!relay.connectedTold && relay.progress.bytes > 0) {
          yield* control.relayConnected(assignment.targetId, assignment.sessionId)
          relay.connectedTold = true
        }
        continue
      }
      const input = `${instance.relayUrl}/${assignment.sessionId}`
      running.set(assignment.targetId, start(assignment, input, caFile))
    }
  }).pipe(Effect.catch((error) => Effect.logWarning(`media: relays not settled this round: ${error.message}`)))

  /** Stops every relay (the node is going). */
  const stopAll = Effect.gen(function* () {
    for (const relay of running.values()) yield* stop(relay)
    running.clear()
  })

  return { round, stopAll }
}
