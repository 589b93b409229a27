/**
 * Cross-aggregate units of work, against an in-memory reader of folded states.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { fold } from "../src/Decider.ts"
import { IngestDecider } from "../src/ingest/IngestDecider.ts"
import { LivestreamDecider } from "../src/livestream/LivestreamDecider.ts"
import { MeetingDecider } from "../src/meeting/MeetingDecider.ts"
import { AggregateReader } from "../src/ports/AggregateReader.ts"
import { SessionDecider } from "../src/session/SessionDecider.ts"
import type { Change } from "../src/workflow/Change.ts"
import type { Signal } from "../src/workflow/Signal.ts"
import { handle } from "../src/workflow/Workflow.ts"
import { MediaNodeId } from "../src/Ids.ts"
import type { Composer } from "../src/livestream/LivestreamValues.ts"
import {
  accountId,
  appId,
  ingest1,
  ingest2,
  key1,
  limits,
  livestreamFields,
  livestreamId,
  alice,
  bob,
  meetingId,
  meetingSession1,
  nodeA,
  publisher,
  session1,
  session2,
  t
} from "./Fixtures.ts"

/** Commits units of work to an in-memory log and reads states by folding it. */
const world = () => {
  const log: Array<Change> = []
  const of = (kind: Change["kind"], id: string) => log.filter((c) => c.kind === kind && c.id === id).map((c) => c.event)
  const reader: AggregateReader["Service"] = {
    livestream: (id) => Effect.succeed(fold(LivestreamDecider, of("livestream", id) as never)),
    livestreamIdByStreamKey: (key) =>
      Effect.succeed(
        ([...new Set(log.filter((c) => c.kind === "livestream").map((c) => c.id))].find((id) => {
          const state = fold(LivestreamDecider, of("livestream", id) as never)
          return state !== null && !state.deleted && state.streamKey === key
        }) as never) ?? null
      ),
    session: (id) => Effect.succeed(fold(SessionDecider, of("session", id) as never)),
    ingest: (id) => Effect.succeed(fold(IngestDecider, of("ingest", id) as never)),
    meeting: (id) => Effect.succeed(fold(MeetingDecider, of("meeting", id) as never))
  }
  const send = (signal: Signal) => {
    const exit = Effect.runSyncExit(Effect.provideService(handle(signal), AggregateReader, reader))
    if (Exit.isSuccess(exit)) log.push(...exit.value.changes)
    return exit
  }
  const tags = (exit: ReturnType<typeof send>) =>
    Exit.isSuccess(exit) ? exit.value.changes.map((c) => `${c.kind}:${c.event._tag}`) : []
  const state = {
    livestream: () => fold(LivestreamDecider, of("livestream", livestreamId) as never),
    session: (id: string) => fold(SessionDecider, of("session", id) as never)
  }
  return { send, tags, state, log }
}

const create: Signal = { _tag: "CreateLivestream", ...livestreamFields, sessionId: session1 }
const publish = (at: number, ingestId = ingest1, sessionId = session2, nodeAccepting = true): Signal => ({
  _tag: "Publish",
  at: t(at),
  ingestId,
  nodeId: nodeA,
  nodeRegion: "eu-west",
  nodeAccepting,
  streamKey: key1,
  publisher,
  sessionId
})

/** A meeting, created (and its session opened) in `w`. */
const meetingIn = (w: ReturnType<typeof world>, at: number) => {
  w.send({
    _tag: "CreateMeeting",
    meetingId,
    at: t(at),
    accountId,
    appId,
    title: "Town hall",
    liveStreamOnStart: false,
    recordOnStart: false
  })
  w.send({ _tag: "OpenMeetingSession", meetingId, at: t(at), meetingSessionId: meetingSession1 })
}

/** The meeting's livestream started in `w`, composed when `composer` is given. */
const startMeetingLivestream = (w: ReturnType<typeof world>, at: number, composer: Composer | null) =>
  w.send({
    _tag: "StartLivestreamForMeeting",
    meetingId,
    at: t(at),
    livestreamId,
    name: null,
    videoConfig: composer === null ? null : { width: composer.width, height: composer.height },
    streamKey: key1,
    reconnectWindowSeconds: 60,
    limits,
    sessionId: session1,
    composer
  })

const composer: Composer = {
  meetingUrl: "https://meet.example.com/rooms/town-hall?role=recorder",
  width: 1280,
  height: 720,
  node: MediaNodeId.make("node-a")
}

describe("Workflow", () => {
  it("creating a livestream invokes its first session", () => {
    const w = world()
    assert.deepStrictEqual(w.tags(w.send(create)), [
      "livestream:LivestreamCreated",
      "livestream:BroadcastInvoked",
      "session:SessionInvoked"
    ])
  })

  it("a publish starts the invoked session and accepts the connection", () => {
    const w = world()
    w.send(create)
    assert.deepStrictEqual(w.tags(w.send(publish(10))), [
      "livestream:PublisherConnected",
      "session:SessionStarted",
      "ingest:IngestAccepted"
    ])
    assert.strictEqual(w.state.session(session1)?.startedAt, t(10))
  })

  it("a duplicate publisher is refused as `already connected` and the live one is untouched", () => {
    const w = world()
    w.send(create)
    w.send(publish(10))
    const before = w.state.livestream()
    const exit = w.send(publish(11, ingest2))
    assert.deepStrictEqual(w.tags(exit), ["ingest:IngestRefused"])
    assert.deepStrictEqual(w.state.livestream(), before)
    // The refused connection's end does not end the live session either.
    assert.deepStrictEqual(w.tags(w.send({ _tag: "Unpublish", at: t(12), ingestId: ingest2 })), [
      "ingest:IngestDisconnected"
    ])
    assert.strictEqual(w.state.livestream()?.broadcast._tag, "Connected")
  })

  it("a node that takes no new publishers refuses a good key, records the node, and leaves the livestream idle", () => {
    const w = world()
    w.send(create)
    const before = w.state.livestream()
    const exit = w.send(publish(10, ingest1, session2, false))
    assert.deepStrictEqual(w.tags(exit), ["ingest:IngestRefused"])
    if (Exit.isSuccess(exit)) {
      const [change] = exit.value.changes
      assert.deepStrictEqual(change?.event, {
        _tag: "IngestRefused",
        ingestId: ingest1,
        at: t(10),
        nodeId: nodeA,
        publisher,
        livestreamId,
        reason: "media node not accepting"
      })
    }
    assert.deepStrictEqual(w.state.livestream(), before)
  })

  it("a livestream pinned to another node or region is refused there as `wrong media node`, and taken where it is pinned", () => {
    for (const placement of [
      { node: MediaNodeId.make("media-b"), region: null },
      { node: null, region: "us-east" }
    ]) {
      const w = world()
      w.send(create)
      w.send({ _tag: "SetPlacement", livestreamId, at: t(1), placement })
      const exit = w.send(publish(10))
      assert.deepStrictEqual(w.tags(exit), ["ingest:IngestRefused"])
      if (Exit.isSuccess(exit)) {
        assert.strictEqual((exit.value.changes[0]!.event as { reason: string }).reason, "wrong media node")
      }
      assert.strictEqual(w.state.livestream()?.broadcast._tag, "Invoked")
    }
    const w = world()
    w.send(create)
    w.send({ _tag: "SetPlacement", livestreamId, at: t(1), placement: { node: nodeA, region: "eu-west" } })
    assert.deepStrictEqual(w.tags(w.send(publish(10))), [
      "livestream:PublisherConnected",
      "session:SessionStarted",
      "ingest:IngestAccepted"
    ])
  })

  it("an unknown key is refused as unknown on any node", () => {
    const w = world()
    const exit = w.send(publish(1, ingest1, session2, false))
    assert.deepStrictEqual(w.tags(exit), ["ingest:IngestRefused"])
    if (Exit.isSuccess(exit)) {
      assert.strictEqual((exit.value.changes[0]!.event as { reason: string }).reason, "unknown key")
    }
  })

  it("an unknown key is refused without naming a livestream", () => {
    const w = world()
    const exit = w.send({ ...publish(1), streamKey: "x".repeat(40) } as Signal)
    assert.isTrue(Exit.isSuccess(exit))
    if (Exit.isSuccess(exit)) {
      const [change] = exit.value.changes
      assert.deepStrictEqual(change?.event, {
        _tag: "IngestRefused",
        ingestId: ingest1,
        at: t(1),
        nodeId: nodeA,
        publisher,
        livestreamId: null,
        reason: "unknown key"
      })
    }
  })

  it("disconnect and reconnect inside the window keep one session and sum its ingest time", () => {
    const w = world()
    w.send(create)
    w.send(publish(10))
    w.send({ _tag: "Unpublish", at: t(20), ingestId: ingest1 })
    assert.deepStrictEqual(w.tags(w.send(publish(50, ingest2))), [
      "livestream:PublisherConnected",
      "session:MediaReconnected",
      "ingest:IngestAccepted"
    ])
    w.send({ _tag: "Unpublish", at: t(70), ingestId: ingest2 })
    w.send({ _tag: "ExpireReconnectWindow", livestreamId, at: t(131), sessionId: session1 })
    const session = w.state.session(session1)
    assert.strictEqual(session?.ingestMillis, 30_000)
    assert.strictEqual(session?.stoppedAt, t(130))
    assert.strictEqual(session?.endReason, "reconnection window expired")
  })

  it("a rejected signal yields an error and no changes", () => {
    const w = world()
    w.send(create)
    const exit = w.send({ _tag: "ExpireStartTimeout", livestreamId, at: t(5), sessionId: session1 })
    assert.isTrue(Exit.isFailure(exit))
    assert.strictEqual(w.log.length, 3)
  })

  it("starting and stopping a meeting's livestream touches the meeting, livestream and session", () => {
    const w = world()
    w.send({
      _tag: "CreateMeeting",
      meetingId,
      at: t(0),
      accountId,
      appId,
      title: "All hands",
      liveStreamOnStart: false,
      recordOnStart: false
    })
    const start = w.send({
      _tag: "StartLivestreamForMeeting",
      meetingId,
      at: t(1),
      livestreamId,
      name: null,
      videoConfig: { width: 1280, height: 720 },
      streamKey: key1,
      reconnectWindowSeconds: 60,
      limits,
      sessionId: session1,
      composer: null
    })
    assert.deepStrictEqual(w.tags(start), [
      "meeting:MeetingLivestreamStarted",
      "livestream:LivestreamCreated",
      "livestream:BroadcastInvoked",
      "session:SessionInvoked"
    ])
    assert.strictEqual(w.state.livestream()?.meetingId, meetingId)
    assert.deepStrictEqual(w.tags(w.send({ _tag: "StopLivestreamForMeeting", meetingId, at: t(2) })), [
      "meeting:MeetingLivestreamStopped",
      "livestream:BroadcastEnded",
      "livestream:LivestreamDisabled",
      "session:SessionStopped"
    ])
  })

  it("a meeting livestream started with a composer keeps it: its page, size and node", () => {
    const w = world()
    meetingIn(w, 0)
    startMeetingLivestream(w, 1, composer)
    assert.deepStrictEqual(w.state.livestream()?.composer, composer)
    assert.strictEqual(w.state.livestream()?.broadcast._tag, "Invoked")
    // Its room ends: the composed broadcast stops with `room ended`, as the seed's beam stops by itself.
    const closed = w.send({ _tag: "CloseMeetingSession", meetingId, at: t(2), meetingSessionId: meetingSession1 })
    assert.deepStrictEqual(w.tags(closed).slice(0, 3), [
      "meeting:MeetingSessionClosed",
      "meeting:MeetingLivestreamStopped",
      "livestream:BroadcastEnded"
    ])
    assert.strictEqual(w.state.livestream()?.lastBroadcast?.reason, "room ended")
  })

  it("a composed meeting left with nobody for five minutes stops with `last peer left`; a join in between holds it", () => {
    const w = world()
    meetingIn(w, 0)
    w.send({ _tag: "JoinParticipant", meetingId, at: t(1), participantId: alice })
    startMeetingLivestream(w, 2, composer)
    assert.deepStrictEqual(w.tags(w.send({ _tag: "LeaveParticipant", meetingId, at: t(10), participantId: alice })), [
      "meeting:ParticipantLeft",
      "livestream:MeetingEmptied"
    ])
    assert.strictEqual(w.state.livestream()?.meetingEmptySince, t(10))
    assert.deepStrictEqual(w.tags(w.send({ _tag: "JoinParticipant", meetingId, at: t(100), participantId: bob })), [
      "meeting:ParticipantJoined",
      "livestream:MeetingOccupied"
    ])
    w.send({ _tag: "LeaveParticipant", meetingId, at: t(200), participantId: bob })
    const early = w.send({ _tag: "ExpireEmptyMeeting", livestreamId, at: t(400), sessionId: session1 })
    assert.isTrue(Exit.isFailure(early), "five minutes from the last leave, not the first")
    const ended = w.send({ _tag: "ExpireEmptyMeeting", livestreamId, at: t(500), sessionId: session1 })
    assert.include(w.tags(ended), "livestream:BroadcastEnded")
    assert.strictEqual(w.state.livestream()?.lastBroadcast?.reason, "last peer left")
    assert.strictEqual(w.state.livestream()?.meetingEmptySince, null)
  })

  it("a meeting's room ending leaves a livestream an outside encoder publishes to the encoder", () => {
    const w = world()
    meetingIn(w, 0)
    startMeetingLivestream(w, 2, null)
    const closed = w.send({ _tag: "CloseMeetingSession", meetingId, at: t(3), meetingSessionId: meetingSession1 })
    assert.deepStrictEqual(w.tags(closed), ["meeting:MeetingSessionClosed"])
    assert.strictEqual(w.state.livestream()?.broadcast._tag, "Invoked")
  })
})
