/**
 * The eight invariants of the core, checked on a world after every signal. Each check states its rule
 * in the terms of the issue and returns the violations it finds; an empty list means the rule holds.
 */
import {
  activeSessionRecord,
  ActiveSessionRecord,
  type Change,
  createdLivestreamRecord,
  currentSessionId,
  CreatedLivestreamRecord,
  dayWiseAnalytics,
  DayWiseAnalyticsRecord,
  HealthDescriptions,
  ingestSessionStatus,
  isTimerCommand,
  IngestSessionStatusRecord,
  isOpen,
  liveEventStatus,
  LiveEventStatusRecord,
  type Livestream,
  livestreamRecord,
  LivestreamRecord,
  meetingLivestreamStartedRecord,
  MeetingLivestreamStartedRecord,
  overallAnalytics,
  OverallAnalyticsRecord,
  type PublicUrls,
  type Session,
  sessionRecord,
  SessionRecord,
  status,
  streamName,
  timerDueAt,
  type Timestamp
} from "@onair/core"
import { Exit, Result, Schema } from "effect"
import type { Entry } from "./Driver.ts"
import { rebuild, stateOf, type World } from "./World.ts"

export type InvariantName = "I1" | "I2" | "I3" | "I4" | "I5" | "I6" | "I7" | "I8" | "I9"

export interface Violation {
  readonly invariant: InvariantName
  readonly message: string
}

export const INVARIANTS: Readonly<Record<InvariantName, string>> = {
  I1: "at most one open session per livestream",
  I2: "status is LIVE exactly when a session is open",
  I3: "a disabled livestream never becomes LIVE and its old key is refused after rotation",
  I4: "ingest_seconds equals the sum of connected intervals and never decreases",
  I5: "every session has started <= stopped, and one whose media left is stopped once its window passed and its timer fired",
  I6: "folding the emitted events from the initial state rebuilds exactly the current state",
  I7: "a rejected command emits nothing and changes nothing",
  I8: "every reachable state maps to views that decode under the seed schemas",
  I9: "no timer changes anything before it is due"
}

export const SIMULATION_URLS: PublicUrls = {
  rtmpServer: "rtmp://127.0.0.1:1935/live",
  rtmpsServer: "rtmps://127.0.0.1:1936/live",
  playbackBase: "http://127.0.0.1:8787/hls"
}

const present = <A>(states: ReadonlyMap<string, A | null>): Array<A> =>
  [...states.values()].filter((state): state is A => state !== null)

const sessionsOf = (world: World, livestreamId: string): Array<Session> =>
  present(world.sessions).filter((session) => session.livestreamId === livestreamId)

const i1 = (world: World): Array<Violation> =>
  present(world.livestreams).flatMap((livestream) => {
    const open = sessionsOf(world, livestream.id).filter(isOpen)
    const pending = sessionsOf(world, livestream.id).filter((s) => s.startedAt === null && s.stoppedAt === null)
    return open.length + pending.length > 1
      ? [
          {
            invariant: "I1" as const,
            message: `livestream ${livestream.id} has ${open.length} open and ${pending.length} invoked sessions`
          }
        ]
      : []
  })

const i2 = (world: World): Array<Violation> =>
  present(world.livestreams).flatMap((livestream) => {
    const live = status(livestream) === "LIVE"
    const open = sessionsOf(world, livestream.id).some(isOpen)
    return live === open
      ? []
      : [
          {
            invariant: "I2" as const,
            message: `livestream ${livestream.id} is ${status(livestream)} while ${open ? "a session is open" : "no session is open"}`
          }
        ]
  })

const i3 = (world: World, entry: Entry, retiredKeys: ReadonlyMap<string, ReadonlySet<string>>): Array<Violation> => {
  const violations: Array<Violation> = present(world.livestreams)
    .filter((livestream) => livestream.disabled !== null && status(livestream) === "LIVE")
    .map((livestream) => ({ invariant: "I3" as const, message: `disabled livestream ${livestream.id} is LIVE` }))
  const signal = entry.signal
  if (signal._tag === "Publish" && Result.isSuccess(entry.outcome)) {
    const retiredFor = [...retiredKeys.entries()].find(([, keys]) => keys.has(signal.streamKey))
    const accepted = entry.outcome.success.some((change) => change.event._tag === "IngestAccepted")
    if (retiredFor !== undefined && accepted) {
      violations.push({ invariant: "I3", message: `a rotated-away key of livestream ${retiredFor[0]} was accepted` })
    }
  }
  return violations
}

/**
 * The connected intervals of each session as its livestream's events tell them, independently of the
 * session aggregate's own bookkeeping.
 */
const connectedMillis = (livestreamEvents: ReadonlyArray<Change>): Map<string, number> => {
  const totals = new Map<string, number>()
  const since = new Map<string, number>()
  for (const { event } of livestreamEvents) {
    if (event._tag === "PublisherConnected") since.set(event.sessionId, event.at)
    if (event._tag === "PublisherDisconnected" || event._tag === "BroadcastEnded") {
      const start = since.get(event.sessionId)
      if (start !== undefined) totals.set(event.sessionId, (totals.get(event.sessionId) ?? 0) + event.at - start)
      since.delete(event.sessionId)
    }
  }
  return totals
}

const i4 = (before: World, world: World): Array<Violation> => {
  const violations: Array<Violation> = []
  for (const livestream of present(world.livestreams)) {
    const expected = connectedMillis(world.streams.get(streamName("livestream", livestream.id)) ?? [])
    for (const session of sessionsOf(world, livestream.id)) {
      const want = expected.get(session.id) ?? 0
      if (session.ingestMillis !== want) {
        violations.push({
          invariant: "I4",
          message: `session ${session.id} has ${session.ingestMillis} ms, intervals sum to ${want} ms`
        })
      }
      const previous = before.sessions.get(session.id)
      if (previous != null && session.ingestMillis < previous.ingestMillis) {
        violations.push({
          invariant: "I4",
          message: `session ${session.id} ingest went from ${previous.ingestMillis} to ${session.ingestMillis} ms`
        })
      }
    }
  }
  return violations
}

const i5 = (world: World): Array<Violation> =>
  present(world.sessions).flatMap((session) => {
    const wrong: Array<Violation> = []
    if (session.startedAt !== null && session.startedAt < session.invokedAt) {
      wrong.push({ invariant: "I5", message: `session ${session.id} started before it was invoked` })
    }
    if (session.startedAt !== null && session.stoppedAt !== null && session.stoppedAt < session.startedAt) {
      wrong.push({
        invariant: "I5",
        message: `session ${session.id} stopped at ${session.stoppedAt} before it started at ${session.startedAt}`
      })
    }
    return wrong
  })

/** After the worker fired every due timer, no session whose media left is past its window. */
const i5AfterTimers = (world: World): Array<Violation> =>
  present(world.livestreams).flatMap((livestream) => {
    const broadcast = livestream.broadcast
    return !livestream.deleted && broadcast._tag === "Reconnecting" && broadcast.deadline <= world.clock
      ? [
          {
            invariant: "I5" as const,
            message: `session ${broadcast.sessionId} is open ${world.clock - broadcast.deadline} ms past its window after its timer fired`
          }
        ]
      : []
  })

const i6 = (world: World, changes: ReadonlyArray<Change>): Array<Violation> => {
  const touched = new Map<string, Change>()
  for (const change of changes) touched.set(streamName(change.kind, change.id), change)
  return [...touched.entries()].flatMap(([name, change]) =>
    toData(rebuild(world.streams.get(name) ?? [])) === toData(stateOf(world, change))
      ? []
      : [{ invariant: "I6" as const, message: `stream ${name} folds to a state other than the current one` }]
  )
}

/** Structural comparison through JSON: states are plain data. */
const toData = (value: unknown): string => JSON.stringify(value)

const i7 = (before: World, after: World, entry: Entry): Array<Violation> =>
  Result.isFailure(entry.outcome) && (after !== before || after.log.length !== before.log.length)
    ? [{ invariant: "I7", message: `rejected ${entry.signal._tag} (${entry.outcome.failure._tag}) changed the world` }]
    : []

const decodes = (schema: Schema.Top, value: unknown): boolean =>
  Exit.isSuccess(Schema.decodeUnknownExit(schema as Schema.Codec<unknown>)(value))

const i8 = (world: World): Array<Violation> => {
  const wrong: Array<Violation> = []
  const expect = (ok: boolean, what: string) => {
    if (!ok) wrong.push({ invariant: "I8", message: `${what} does not decode under its seed schema` })
  }
  const asOf = world.clock
  for (const livestream of present(world.livestreams)) {
    const sessions = sessionsOf(world, livestream.id)
    const current = currentOrLast(livestream, world)
    const ingest =
      livestream.broadcast._tag === "Connected" ? (world.ingests.get(livestream.broadcast.ingestId) ?? null) : null
    expect(
      decodes(LivestreamRecord, livestreamRecord(livestream, SIMULATION_URLS)),
      `livestream record of ${livestream.id}`
    )
    expect(
      decodes(CreatedLivestreamRecord, createdLivestreamRecord(livestream, SIMULATION_URLS)),
      `create record of ${livestream.id}`
    )
    expect(
      decodes(MeetingLivestreamStartedRecord, meetingLivestreamStartedRecord(livestream, SIMULATION_URLS)),
      `start record of ${livestream.id}`
    )
    for (const mediaReady of [true, false]) {
      const ingestStatus = ingestSessionStatus({
        livestream,
        session: current,
        ingest,
        urls: SIMULATION_URLS,
        mediaReady
      })
      expect(decodes(IngestSessionStatusRecord, ingestStatus), `ingest status of ${livestream.id}`)
      const eventStatus = liveEventStatus({ livestream, session: current, ingest, mediaReady })
      expect(decodes(LiveEventStatusRecord, eventStatus), `getStatus of ${livestream.id}`)
      expect(
        decodes(HealthDescriptions, eventStatus.value[0].healthDescriptions),
        `healthDescriptions of ${livestream.id}`
      )
      if (eventStatus.value[0].healthDescriptions.some((text) => text.includes(livestream.streamKey))) {
        wrong.push({ invariant: "I8", message: `getStatus of ${livestream.id} reveals its stream key` })
      }
    }
    for (const session of sessions) {
      expect(decodes(SessionRecord, sessionRecord(session, asOf)), `session record of ${session.id}`)
      expect(decodes(ActiveSessionRecord, activeSessionRecord(session, asOf)), `active session record of ${session.id}`)
    }
  }
  const range = { from: 0 as Timestamp, to: (asOf + 1) as Timestamp }
  expect(decodes(OverallAnalyticsRecord, overallAnalytics(present(world.sessions), range, asOf)), "overall analytics")
  const day = asOf - (asOf % 86_400_000)
  const meetingSessions = present(world.meetings).flatMap((meeting) =>
    meeting.session === null ? [] : [{ startedAt: meeting.session.openedAt, endedAt: null }]
  )
  expect(
    decodes(
      DayWiseAnalyticsRecord,
      dayWiseAnalytics({ meetingSessions, recordings: [], firstDay: day - 86_400_000, lastDay: day, asOf })
    ),
    "day-wise analytics"
  )
  return wrong
}

/**
 * A timer that changed anything was due when it fired: its broadcast, as it was before, had that timer, and
 * its time had come (a decider that fired every timer at once would end sessions early and pass I1-I8).
 */
const i9 = (before: World, entry: Entry): Array<Violation> => {
  const signal = entry.signal
  if (!isTimerCommand(signal) || !Result.isSuccess(entry.outcome) || entry.outcome.success.length === 0) return []
  const timer = signal
  const livestream = before.livestreams.get(timer.livestreamId)
  const due = livestream == null ? undefined : timerDueAt(livestream, timer._tag)
  if (due !== undefined && due <= timer.at) return []
  return [
    {
      invariant: "I9",
      message:
        due === undefined
          ? `${timer._tag} changed livestream ${timer.livestreamId}, whose broadcast had no such timer`
          : `${timer._tag} changed livestream ${timer.livestreamId} at ${timer.at}, ${due - timer.at} ms before it was due`
    }
  ]
}

/** The session a status view describes: the current one, or the last one that ended. */
export const currentOrLast = (livestream: Livestream, world: World): Session | null => {
  const id = currentSessionId(livestream) ?? livestream.lastBroadcast?.sessionId
  return id === undefined ? null : (world.sessions.get(id) ?? null)
}

export interface CheckInput {
  readonly before: World
  readonly after: World
  readonly entry: Entry
  readonly retiredKeys: ReadonlyMap<string, ReadonlySet<string>>
}

/** Every invariant, after one signal. */
export const check = Object.assign(
  ({ before, after, entry, retiredKeys }: CheckInput): Array<Violation> => [
    ...i1(after),
    ...i2(after),
    ...i3(after, entry, retiredKeys),
    ...i4(before, after),
    ...i5(after),
    ...i6(after, Result.isSuccess(entry.outcome) ? entry.outcome.success : []),
    ...i7(before, after, entry),
    ...i8(after),
    ...i9(before, entry)
  ],
  { afterTimers: i5AfterTimers }
)
