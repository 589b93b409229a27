/**
 * Readable lines for a simulation run: one per signal, saying what was asked and what happened.
 * Stream keys are shown masked, as everywhere OnAir writes them.
 */
import { type Change, type Signal, status } from "@onair/core"
import { Result } from "effect"
import type { Entry, Run } from "./Driver.ts"
import { INVARIANTS } from "./Invariants.ts"
import type { World } from "./World.ts"

/** Four characters: enough to tell keys apart in a log, never enough to publish with. */
export const maskKey = (key: string): string => `…${key.slice(-4)}`

const short = (id: string): string => (id.length > 12 ? `…${id.slice(-4)}` : id)

const clock = (at: number, start: number): string => {
  const seconds = Math.floor((at - start) / 1000)
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0")
  const mm = String(Math.floor(seconds / 60) % 60).padStart(2, "0")
  const ss = String(seconds % 60).padStart(2, "0")
  return `+${hh}:${mm}:${ss}`
}

const describeSignal = (signal: Signal): string => {
  switch (signal._tag) {
    case "Publish":
      return `encoder ${signal.ingestId} publishes with key ${maskKey(signal.streamKey)}`
    case "Unpublish":
      return `encoder ${signal.ingestId} disconnects`
    case "ReportHealth":
      return `health of ${signal.ingestId}: ${signal.health.width}x${signal.health.height} ${Math.round(signal.health.videoBitrate / 1000)} kbps`
    case "ReportManifest":
      return `first playlist of ${signal.ingestId} is ready`
    case "ReportPublishFailure":
      return `media server fails ${signal.ingestId}: ${signal.message}`
    case "ReportMediaLost":
      return `media server under ${signal.ingestId} is lost: ${signal.message}`
    case "AccrueViewerSeconds":
      return `viewers watched session ${short(signal.sessionId)} for ${signal.seconds} s`
    default: {
      const subject =
        "livestreamId" in signal
          ? `livestream ${short(signal.livestreamId)}`
          : "meetingId" in signal
            ? `meeting ${short(signal.meetingId)}`
            : ""
      return `${signal._tag} ${subject}`.trim()
    }
  }
}

const describeChange = (change: Change): string => {
  const event = change.event
  switch (event._tag) {
    case "IngestRefused":
      return `refused (${event.reason})`
    case "BroadcastEnded":
      return `session ${short(event.sessionId)} ended: ${event.reason}`
    case "PublisherConnected":
      return event.resumed ? `session ${short(event.sessionId)} resumed` : `session ${short(event.sessionId)} started`
    case "PublisherDisconnected":
      return `media left session ${short(event.sessionId)}`
    case "BroadcastInvoked":
      return `session ${short(event.sessionId)} invoked`
    default:
      return event._tag
  }
}

const INTERESTING = new Set([
  "IngestRefused",
  "BroadcastEnded",
  "PublisherConnected",
  "PublisherDisconnected",
  "BroadcastInvoked",
  "LivestreamCreated",
  "LivestreamDisabled",
  "LivestreamEnabled",
  "StreamKeyRotated",
  "LivestreamDeleted",
  "MeetingSessionOpened",
  "MeetingSessionClosed",
  "ParticipantJoined",
  "ParticipantLeft"
])

export const narrateEntry = (entry: Entry, start: number): string => {
  const head = `[${clock(entry.clock, start)}] ${describeSignal(entry.signal)}`
  if (Result.isFailure(entry.outcome)) return `${head} -> rejected: ${entry.outcome.failure._tag}`
  const notable = entry.outcome.success.filter((change) => INTERESTING.has(change.event._tag)).map(describeChange)
  return notable.length === 0 ? `${head} -> ok` : `${head} -> ${notable.join("; ")}`
}

export const summary = (run: Run, start: number): ReadonlyArray<string> => {
  const world: World = run.world
  const lines: Array<string> = []
  const rejected = run.entries.filter((entry) => Result.isFailure(entry.outcome)).length
  lines.push(
    `${run.entries.length} signals (${run.entries.length - rejected} applied, ${rejected} rejected), ${world.log.length} events, ${clock(world.clock, start)} simulated`
  )
  lines.push("livestreams:")
  for (const livestream of world.livestreams.values()) {
    if (livestream === null) continue
    const sessions = [...world.sessions.values()].filter((s) => s?.livestreamId === livestream.id)
    const ingest = sessions.reduce((total, s) => total + (s?.ingestMillis ?? 0), 0) / 1000
    const viewers = sessions.reduce((total, s) => total + (s?.viewerSeconds ?? 0), 0)
    const flags = [
      livestream.deleted ? "deleted" : "",
      livestream.disabled !== null ? `disabled (${livestream.disabled})` : ""
    ].filter((flag) => flag !== "")
    lines.push(
      `  ${short(livestream.id)} ${livestream.name ?? "(meeting)"}: ${status(livestream)}${flags.length > 0 ? `, ${flags.join(", ")}` : ""}; ${sessions.length} sessions, ${ingest} s ingest, ${viewers} s viewed`
    )
  }
  lines.push(
    run.violations.length === 0
      ? `invariants I1-I9 held after every signal`
      : `${run.violations.length} invariant violations:`
  )
  for (const violation of run.violations.slice(0, 20)) {
    lines.push(`  ${violation.invariant} (${INVARIANTS[violation.invariant]}): ${violation.message}`)
  }
  return lines
}
