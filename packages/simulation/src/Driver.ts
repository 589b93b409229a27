/**
 * Runs abstract steps against a world: resolves each to the signals it stands for (minting ids and keys
 * deterministically), applies them one by one, and checks the invariants after every signal.
 */
import {
  dueTimers,
  IngestId,
  type LivestreamId,
  LivestreamId as LivestreamIdSchema,
  MeetingId,
  MeetingSessionId,
  ParticipantId,
  SessionId,
  type Signal,
  StreamKey,
  type Timestamp,
  type WorkflowError,
  LOCAL_MEDIA_NODE
} from "@onair/core"
import { absurd, Result } from "effect"
import { check, type Violation } from "./Invariants.ts"
import type { Step } from "./Step.ts"
import { advance, apply, empty, type World } from "./World.ts"

export const ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
export const APP = "sim-app"
/** Short limits, so that random runs reach every timer. */
export const LIMITS = { startTimeoutSeconds: 120, maxDurationSeconds: 900 }

export interface Entry {
  readonly step: Step
  readonly signal: Signal
  readonly outcome: Result.Result<ReadonlyArray<import("@onair/core").Change>, WorkflowError>
  readonly clock: Timestamp
}

export interface Run {
  readonly world: World
  readonly entries: ReadonlyArray<Entry>
  readonly violations: ReadonlyArray<Violation & { readonly entry: number }>
  /** Keys each livestream had before its current one: they must never publish again. */
  readonly retiredKeys: ReadonlyMap<string, ReadonlySet<string>>
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0")
/** Deterministic v4-shaped uuids; the first group says what kind of id it is. */
const uuid = (kind: number, n: number) => `${hex(kind, 8)}-0000-4000-8000-${hex(n, 12)}`

class Driver {
  world: World
  private counter = 0
  private readonly livestreams: Array<LivestreamId> = []
  private readonly meetings: Array<string> = []
  readonly retired = new Map<string, Set<string>>()
  readonly entries: Array<Entry> = []
  readonly violations: Array<Violation & { entry: number }> = []

  constructor(start: Timestamp) {
    this.world = empty(start)
  }

  private next(): number {
    return ++this.counter
  }

  private key(): StreamKey {
    const n = this.next()
    // Knuth's multiplicative hash spreads consecutive counters, so masked keys still tell apart.
    return StreamKey.make(`sk_${"0".repeat(21)}${hex(Math.imul(n, 2_654_435_761) >>> 0, 8)}${hex(n, 8)}`)
  }

  private livestreamAt(index: number): LivestreamId | null {
    return this.livestreams.length === 0 ? null : (this.livestreams[index % this.livestreams.length] ?? null)
  }

  private meetingAt(index: number) {
    return this.meetings.length === 0 ? null : MeetingId.make(this.meetings[index % this.meetings.length] ?? "")
  }

  private get at(): Timestamp {
    return this.world.clock
  }

  /** The signals a step stands for in the current world; none when it names nothing that exists. */
  private resolve(step: Step): ReadonlyArray<Signal> {
    const at = this.at
    switch (step._tag) {
      case "Create": {
        const livestreamId = LivestreamIdSchema.make(uuid(1, this.next()))
        return [
          {
            _tag: "CreateLivestream",
            livestreamId,
            at,
            accountId: ACCOUNT as never,
            appId: APP as never,
            name: `Stream ${this.livestreams.length + 1}`,
            meetingId: null,
            videoConfig: null,
            streamKey: this.key(),
            reconnectWindowSeconds: step.window,
            limits: LIMITS,
            sessionId: SessionId.make(uuid(2, this.next()))
          }
        ]
      }
      case "CreateMeeting":
        return [
          {
            _tag: "CreateMeeting",
            meetingId: MeetingId.make(uuid(3, this.next())),
            at,
            accountId: ACCOUNT as never,
            appId: APP as never,
            title: `Meeting ${this.meetings.length + 1}`,
            liveStreamOnStart: false,
            recordOnStart: false
          }
        ]
      case "StartForMeeting": {
        const meetingId = this.meetingAt(step.meeting)
        if (meetingId === null) return []
        return [
          {
            _tag: "StartLivestreamForMeeting",
            meetingId,
            at,
            livestreamId: LivestreamIdSchema.make(uuid(1, this.next())),
            name: null,
            videoConfig: { width: 1280, height: 720 },
            streamKey: this.key(),
            reconnectWindowSeconds: step.window,
            limits: LIMITS,
            sessionId: SessionId.make(uuid(2, this.next())),
            composer: null
          }
        ]
      }
      case "StopForMeeting": {
        const meetingId = this.meetingAt(step.meeting)
        return meetingId === null ? [] : [{ _tag: "StopLivestreamForMeeting", meetingId, at }]
      }
      case "MeetingActivity": {
        const meetingId = this.meetingAt(step.meeting)
        if (meetingId === null) return []
        const meeting = this.world.meetings.get(meetingId)
        const open = meeting?.session?.id ?? MeetingSessionId.make(`ms-${this.counter}`)
        const participantId = ParticipantId.make(`peer-${step.participant}`)
        switch (step.action) {
          case "open":
            return [
              {
                _tag: "OpenMeetingSession",
                meetingId,
                at,
                meetingSessionId: MeetingSessionId.make(`ms-${this.next()}`)
              }
            ]
          case "close":
            return [{ _tag: "CloseMeetingSession", meetingId, at, meetingSessionId: open }]
          case "join":
            return [{ _tag: "JoinParticipant", meetingId, at, participantId }]
          case "leave":
            return [{ _tag: "LeaveParticipant", meetingId, at, participantId }]
          case "deactivate":
            return [{ _tag: "SetMeetingStatus", meetingId, at, status: "INACTIVE" }]
          case "activate":
            return [{ _tag: "SetMeetingStatus", meetingId, at, status: "ACTIVE" }]
          default:
            return absurd<ReadonlyArray<never>>(step as never)
        }
      }
      case "Publish": {
        const livestreamId = this.livestreamAt(step.livestream)
        const livestream = livestreamId === null ? null : (this.world.livestreams.get(livestreamId) ?? null)
        const retired = livestreamId === null ? [] : [...(this.retired.get(livestreamId) ?? [])]
        const streamKey =
          step.key === "current" && livestream !== null
            ? livestream.streamKey
            : step.key === "retired" && retired.length > 0
              ? StreamKey.make(retired[this.counter % retired.length] ?? "")
              : this.key()
        return [
          {
            _tag: "Publish",
            at,
            ingestId: IngestId.make(`ingest-${this.next()}`),
            nodeId: LOCAL_MEDIA_NODE,
            nodeRegion: null,
            nodeAccepting: true,
            streamKey,
            publisher: { ip: "198.51.100.10", port: 40_000 + (this.counter % 20_000) },
            sessionId: SessionId.make(uuid(2, this.next()))
          }
        ]
      }
      case "Unpublish": {
        const ingestId = this.connectionOf(step.livestream)
        return ingestId === null ? [] : [{ _tag: "Unpublish", at, ingestId }]
      }
      case "Health": {
        const ingestId = this.connectionOf(step.livestream)
        if (ingestId === null) return []
        const renditions = step.renditions
          ? [
              {
                name: "720p",
                width: 1280,
                height: 720,
                videoCodecId: "avc1.42c01f",
                audioCodecId: "mp4a.40.2",
                bandwidth: 2_000_000
              }
            ]
          : []
        return [
          {
            _tag: "ReportHealth",
            at,
            ingestId,
            health: {
              width: 1920,
              height: 1080,
              videoCodecId: "avc1.640028",
              audioCodecId: "mp4a.40.2",
              videoBitrate: 4_500_000 + (this.counter % 7) * 10_000,
              audioBitrate: 128_000,
              videoFps: 30,
              renditions
            }
          }
        ]
      }
      case "Manifest": {
        const ingestId = this.connectionOf(step.livestream)
        return ingestId === null ? [] : [{ _tag: "ReportManifest", at, ingestId }]
      }
      case "PublishFailure": {
        const ingestId = this.connectionOf(step.livestream)
        return ingestId === null
          ? []
          : [{ _tag: "ReportPublishFailure", at, ingestId, message: "encoder sent an invalid stream" }]
      }
      case "MediaLost": {
        const ingestId = this.connectionOf(step.livestream)
        return ingestId === null ? [] : [{ _tag: "ReportMediaLost", at, ingestId, message: "media server exited" }]
      }
      case "Viewers": {
        const livestreamId = this.livestreamAt(step.livestream)
        const session = [...this.world.sessions.values()].findLast((s) => s?.livestreamId === livestreamId)
        return session == null
          ? []
          : [{ _tag: "AccrueViewerSeconds", sessionId: session.id, at, seconds: step.seconds }]
      }
      case "Manage": {
        const livestreamId = this.livestreamAt(step.livestream)
        if (livestreamId === null) return []
        const target = { livestreamId, at }
        switch (step.action) {
          case "disable":
            return [{ _tag: "DisableLivestream", ...target, reason: "requested" }]
          case "enable":
            return [{ _tag: "EnableLivestream", ...target }]
          case "rotate":
            return [{ _tag: "RotateStreamKey", ...target, streamKey: this.key() }]
          case "rename":
            return [{ _tag: "RenameLivestream", ...target, name: `Renamed ${this.next()}` }]
          case "delete":
            return [{ _tag: "DeleteLivestream", ...target }]
          case "stop":
            return [{ _tag: "StopBroadcast", ...target }]
          case "abort":
            return [{ _tag: "AbortBroadcast", ...target, message: "media server exited" }]
          default:
            return absurd<ReadonlyArray<never>>(step as never)
        }
      }
      case "SetWindow": {
        const livestreamId = this.livestreamAt(step.livestream)
        return livestreamId === null ? [] : [{ _tag: "SetReconnectWindow", livestreamId, at, seconds: step.seconds }]
      }
      case "Advance":
        return []
      case "FireDueTimers":
        return this.dueTimers()
      case "FireTimer": {
        const livestreamId = this.livestreamAt(step.livestream)
        const livestream = livestreamId === null ? null : (this.world.livestreams.get(livestreamId) ?? null)
        const sessionId =
          livestream === null
            ? null
            : livestream.broadcast._tag !== "Idle"
              ? livestream.broadcast.sessionId
              : (livestream.lastBroadcast?.sessionId ?? null)
        if (livestreamId === null || sessionId === null) return []
        const tag =
          step.timer === "reconnect"
            ? ("ExpireReconnectWindow" as const)
            : step.timer === "start"
              ? ("ExpireStartTimeout" as const)
              : ("ReachMaximumDuration" as const)
        return [{ _tag: tag, livestreamId, at, sessionId }]
      }
    }
  }

  /** An accepted connection of the livestream that has not disconnected: its publisher, or a dropped one. */
  private connectionOf(index: number): IngestId | null {
    const livestreamId = this.livestreamAt(index)
    const livestream = livestreamId === null ? null : (this.world.livestreams.get(livestreamId) ?? null)
    if (livestream === null) return null
    if (livestream.broadcast._tag === "Connected") return livestream.broadcast.ingestId
    for (const ingest of this.world.ingests.values()) {
      if (ingest !== null && ingest.disconnectedAt === null && ingest.verdict.livestreamId === livestreamId)
        return ingest.id
    }
    return null
  }

  /** What the worker would send now: every timer whose due time has come. */
  private dueTimers(): ReadonlyArray<Signal> {
    return dueTimers(this.world.livestreams.values(), this.at)
  }

  run(step: Step): void {
    if (step._tag === "Advance") {
      this.world = advance(this.world, step.seconds)
      return
    }
    for (const signal of this.resolve(step)) {
      const before = this.world
      const result = apply(before, signal)
      if (Result.isSuccess(result)) {
        this.world = result.success.world
        this.remember(signal, before)
      }
      const entry: Entry = {
        step,
        signal,
        outcome: Result.map(result, (applied) => applied.changes),
        clock: this.at
      }
      this.entries.push(entry)
      const violations = check({ before, after: this.world, entry, retiredKeys: this.retired })
      for (const violation of violations) this.violations.push({ ...violation, entry: this.entries.length - 1 })
    }
    if (step._tag === "FireDueTimers") {
      for (const violation of check.afterTimers(this.world)) {
        this.violations.push({ ...violation, entry: this.entries.length - 1 })
      }
    }
  }

  /** Tracks what the world created, and which keys a rotation retired. */
  private remember(signal: Signal, before: World): void {
    switch (signal._tag) {
      case "CreateLivestream":
      case "StartLivestreamForMeeting":
        this.livestreams.push(signal.livestreamId)
        break
      case "CreateMeeting":
        this.meetings.push(signal.meetingId)
        break
      case "RotateStreamKey": {
        const previous = before.livestreams.get(signal.livestreamId)
        if (previous == null) break
        const keys = this.retired.get(signal.livestreamId) ?? new Set<string>()
        keys.add(previous.streamKey)
        this.retired.set(signal.livestreamId, keys)
        break
      }
    }
  }
}

export const START = Date.UTC(2026, 10, 21, 9, 0, 0) as Timestamp

/** Runs a scenario from an empty world, checking the invariants after every signal. */
export const simulate = (steps: ReadonlyArray<Step>, start: Timestamp = START): Run => {
  const driver = new Driver(start)
  for (const step of steps) driver.run(step)
  return { world: driver.world, entries: driver.entries, violations: driver.violations, retiredKeys: driver.retired }
}
