/**
 * Webhook seed 004's events for OnAir's changes: which types a change means and their `data`.
 */
import { assert, describe, it } from "@effect/vitest"
import { fold } from "../src/Decider.ts"
import { IngestDecider } from "../src/ingest/IngestDecider.ts"
import type { IngestEvent } from "../src/ingest/IngestEvent.ts"
import { LivestreamDecider } from "../src/livestream/LivestreamDecider.ts"
import type { LivestreamEvent } from "../src/livestream/LivestreamEvent.ts"
import { MeetingDecider } from "../src/meeting/MeetingDecider.ts"
import type { MeetingEvent } from "../src/meeting/MeetingEvent.ts"
import { SessionDecider } from "../src/session/SessionDecider.ts"
import type { SessionEvent } from "../src/session/SessionEvent.ts"
import {
  livestreamStatusChanged,
  seedTime,
  stampMetadata,
  type WebhookWorld,
  webhookMessages as viewMessages
} from "../src/views/WebhookViews.ts"
import { seedConformance } from "../src/webhook/SeedWebhookConformance.ts"
import {
  accountId,
  alice,
  appId,
  ingest1,
  livestreamFields,
  livestreamId,
  meetingId,
  meetingSession1,
  nodeA,
  session1,
  t
} from "./Fixtures.ts"

/** The views' messages, each checked against the seed's table as the outbox sends it (with its metadata). */
const webhookMessages = (...args: Parameters<typeof viewMessages>) => {
  const messages = viewMessages(...args)
  for (const message of messages) {
    assert.deepStrictEqual(seedConformance(message.type, stampMetadata(message, "message-id").data), [], message.type)
  }
  return messages
}

const urls = { rtmpServer: "rtmp://h/live", rtmpsServer: "rtmps://h/live", playbackBase: "https://h/hls" }

const livestreamEvents: ReadonlyArray<LivestreamEvent> = [
  { _tag: "LivestreamCreated", ...livestreamFields },
  { _tag: "BroadcastInvoked", livestreamId, at: t(0), sessionId: session1 },
  { _tag: "PublisherConnected", livestreamId, at: t(10), sessionId: session1, ingestId: ingest1, resumed: false },
  {
    _tag: "BroadcastEnded",
    livestreamId,
    at: t(70),
    sessionId: session1,
    reason: "internal error",
    errMessage: "media server exited",
    droppedIngestId: ingest1
  }
]
const stopped: SessionEvent = {
  _tag: "SessionStopped",
  sessionId: session1,
  at: t(70),
  stoppedAt: t(70),
  reason: "internal error",
  errMessage: "media server exited",
  connectedMillis: 60_000
}
/** The publish that started `session1`. */
const publishAccepted: IngestEvent = {
  _tag: "IngestAccepted",
  ingestId: ingest1,
  at: t(10),
  nodeId: nodeA,
  publisher: { ip: "203.0.113.7", port: 0 },
  livestreamId,
  sessionId: session1
}

const sessionEvents: ReadonlyArray<SessionEvent> = [
  { _tag: "SessionInvoked", sessionId: session1, at: t(0), livestreamId, accountId, appId },
  { _tag: "SessionStarted", sessionId: session1, at: t(10), ingestId: ingest1 },
  stopped
]

const world = (overrides: Partial<WebhookWorld> = {}): WebhookWorld => ({
  livestream: () => fold(LivestreamDecider, livestreamEvents) ?? undefined,
  session: () => fold(SessionDecider, sessionEvents) ?? undefined,
  ingest: () => undefined,
  meeting: () => undefined,
  hlsStartedAt: () => t(13),
  joined: () => undefined,
  urls,
  ...overrides
})

describe("webhook views", () => {
  it("a session that ended with an internal error: ingest.failure, ingest.end.success, hls.failure, hls.stopped.success", () => {
    const messages = webhookMessages({ kind: "session", id: session1, event: stopped }, world())
    assert.deepStrictEqual(
      messages.map((m) => m.type),
      ["ingest.failure", "ingest.end.success", "hls.failure", "hls.stopped.success"]
    )
    const ended = messages[1]!
    assert.strictEqual(ended.subject, livestreamId)
    assert.deepStrictEqual(ended.data, {
      account_id: accountId,
      app_id: appId,
      room_id: livestreamId,
      template_id: appId,
      livestream_id: livestreamId,
      ingest_id: ingest1,
      stream_id: session1,
      started_at: seedTime(t(10)),
      completed_at: seedTime(t(70)),
      duration: 60,
      last_disconnected_at: seedTime(t(70)),
      reason: "internal error"
    })
    assert.strictEqual(messages[0]!.data["error_message"], "internal error")
    assert.deepInclude(messages[3]!.data, {
      url: "https://h/hls/78dd0b50-4147-4bb8-88d3-2ccc2e98bff0/index.m3u8",
      duration: 57
    })
  })

  it("a session whose HLS never started says nothing about HLS", () => {
    const messages = webhookMessages(
      { kind: "session", id: session1, event: stopped },
      world({ hlsStartedAt: () => undefined })
    )
    assert.deepStrictEqual(
      messages.map((m) => m.type),
      ["ingest.failure", "ingest.end.success"]
    )
  })

  it("status changes once per unit, ERRORED after an internal error, and not for a deleted livestream", () => {
    const livestream = fold(LivestreamDecider, livestreamEvents)!
    const [changed] = livestreamStatusChanged(livestream, "LIVE", t(70))
    assert.deepInclude(changed!.data, { status: "ERRORED", previous_status: "LIVE", session_id: session1 })
    assert.deepStrictEqual(livestreamStatusChanged(livestream, "ERRORED", t(70)), [])
    assert.deepStrictEqual(livestreamStatusChanged({ ...livestream, deleted: true }, "LIVE", t(70)), [])
  })

  it("meeting sessions and participants, with the seed's field names", () => {
    const meetingEvents: ReadonlyArray<MeetingEvent> = [
      {
        _tag: "MeetingCreated",
        meetingId,
        at: t(0),
        accountId,
        appId,
        title: "Standup",
        liveStreamOnStart: false,
        recordOnStart: false
      },
      { _tag: "MeetingSessionOpened", meetingId, at: t(5), meetingSessionId: meetingSession1 }
    ]
    const meetings = world({
      meeting: () => fold(MeetingDecider, meetingEvents) ?? undefined,
      joined: () => ({ at: t(6), profile: null })
    })
    const left = webhookMessages(
      {
        kind: "meeting",
        id: meetingId,
        event: {
          _tag: "ParticipantLeft",
          meetingId,
          at: t(46),
          meetingSessionId: meetingSession1,
          participantId: alice
        }
      },
      meetings
    )
    assert.deepStrictEqual(
      left.map((m) => m.type),
      ["peer.leave.success"]
    )
    assert.deepInclude(left[0]!.data, {
      room_id: meetingId,
      room_name: "Standup",
      peer_id: alice,
      duration: 40,
      session_id: meetingSession1
    })
    const closed = webhookMessages(
      {
        kind: "meeting",
        id: meetingId,
        event: {
          _tag: "MeetingSessionClosed",
          meetingId,
          at: t(605),
          meetingSessionId: meetingSession1,
          openedAt: t(5)
        }
      },
      meetings
    )
    assert.deepInclude(closed[0]!.data, {
      session_duration: 600,
      session_started_at: seedTime(t(5)),
      session_stopped_at: seedTime(t(605))
    })
  })

  it("ingest connections: accepted, refused for a known livestream, and nothing for an unknown key", () => {
    const accepted = webhookMessages(
      {
        kind: "ingest",
        id: ingest1,
        event: publishAccepted
      },
      world()
    )
    assert.deepStrictEqual(
      accepted.map((m) => m.type),
      ["ingest.start.success"]
    )
    assert.deepInclude(accepted[0]!.data, { ingest_id: ingest1, stream_id: session1, started_at: seedTime(t(10)) })
    const refused = (livestream: typeof livestreamId | null) =>
      webhookMessages(
        {
          kind: "ingest",
          id: ingest1,
          event: {
            _tag: "IngestRefused",
            ingestId: ingest1,
            at: t(11),
            nodeId: nodeA,
            publisher: { ip: "203.0.113.7", port: 0 },
            livestreamId: livestream,
            reason: "stream key disabled"
          }
        },
        world()
      )
    assert.deepStrictEqual(
      refused(livestreamId).map((m) => [m.type, m.data["error_message"]]),
      [["ingest.start.failure", "stream key disabled"]]
    )
    assert.deepStrictEqual(refused(null), [])
  })

  it("a composed meeting livestream: beam.started.success with its start delay, then the seed's stop reasons and beam.failure", () => {
    const composer = {
      meetingUrl: "https://meet.example.com/rooms/town-hall",
      width: 1280,
      height: 720,
      node: nodeA
    }
    const composed: ReadonlyArray<LivestreamEvent> = [
      { _tag: "LivestreamCreated", ...livestreamFields, meetingId, composer },
      ...livestreamEvents.slice(1)
    ]
    const ending = (reason: SessionEvent & { _tag: "SessionStopped" }) =>
      world({
        livestream: () => fold(LivestreamDecider, composed) ?? undefined,
        session: () => fold(SessionDecider, [...sessionEvents.slice(0, 2), reason]) ?? undefined
      })
    const accepted = webhookMessages(
      {
        kind: "ingest",
        id: ingest1,
        event: publishAccepted
      },
      ending(stopped)
    )
    assert.deepStrictEqual(
      accepted.map((m) => m.type),
      ["ingest.start.success", "beam.started.success"]
    )
    assert.deepInclude(accepted[1]!.data, {
      beam_id: livestreamId,
      job_id: session1,
      room_id: meetingId,
      meeting_url: composer.meetingUrl,
      max_width: 1280,
      max_height: 720,
      start_delay: 10,
      state_name: "Started",
      peer_id: null
    })
    const end = (
      reason: "stopped by request" | "maximum duration reached" | "internal error" | "room ended",
      errMessage: string | null
    ) => {
      const event = { ...stopped, reason, errMessage }
      return webhookMessages({ kind: "session", id: session1, event }, ending(event)).filter((m) =>
        m.type.startsWith("beam.")
      )
    }
    assert.deepStrictEqual(
      end("stopped by request", null).map((m) => [m.type, m.data["reason"]]),
      [["beam.stopped.success", "client request"]]
    )
    assert.deepStrictEqual(
      end("maximum duration reached", null).map((m) => [m.type, m.data["reason"]]),
      [["beam.stopped.success", "max duration reached"]]
    )
    assert.deepStrictEqual(
      end("room ended", null).map((m) => [m.type, m.data["reason"]]),
      [["beam.stopped.success", "room ended"]]
    )
    const retries = end("internal error", "composer: MAX_RETRIES_REACHED: the meeting page did not load after 3 tries")
    assert.deepStrictEqual(
      retries.map((m) => [m.type, m.data["error_type"] ?? m.data["reason"]]),
      [
        ["beam.failure", "MAX_RETRIES_REACHED"],
        ["beam.stopped.success", "failure: MAX_RETRIES_REACHED"]
      ]
    )
    assert.strictEqual(retries[1]!.data["duration"], 60)
    assert.deepStrictEqual(
      end("internal error", "media server exited").map((m) => m.data["error_type"] ?? m.data["reason"]),
      ["INTERNAL_ERROR", "failure: INTERNAL_ERROR"]
    )
    // Its HLS events describe the beam too: the seed's beam fields with real values.
    const event = { ...stopped, reason: "stopped by request" as const, errMessage: null }
    const hlsStopped = webhookMessages({ kind: "session", id: session1, event }, ending(event)).find(
      (m) => m.type === "hls.stopped.success"
    )
    assert.deepInclude(hlsStopped!.data, {
      beam_id: livestreamId,
      job_id: session1,
      meeting_url: composer.meetingUrl,
      max_width: 1280,
      max_height: 720,
      state_name: "HLSStopped",
      recording_single_file_per_layer_enabled: false,
      peer_id: null,
      reason: "client request",
      onair_reason: "stopped by request"
    })
    // A livestream without a composer says nothing of beams.
    assert.isFalse(
      webhookMessages({ kind: "session", id: session1, event: stopped }, world()).some((m) =>
        m.type.startsWith("beam.")
      )
    )
  })

  it("a refused ladder is an hls.failure (the seed's INTERNAL_ERROR, OnAir's RENDITIONS_REFUSED), naming the renditions left out; HLS goes on", () => {
    const ingest = fold(IngestDecider, [publishAccepted])
    const messages = webhookMessages(
      {
        kind: "ingest",
        id: ingest1,
        event: {
          _tag: "RenditionsRefused",
          ingestId: ingest1,
          at: t(11),
          reason: "no cpu budget",
          renditions: ["480p", "360p"]
        }
      },
      world({ ingest: () => ingest ?? undefined })
    )
    assert.deepStrictEqual(
      messages.map((m) => m.type),
      ["hls.failure"]
    )
    assert.deepInclude(messages[0]!.data, {
      session_id: session1,
      error_type: "INTERNAL_ERROR",
      onair_error_type: "RENDITIONS_REFUSED",
      error_message: "no cpu budget: the media node passes the source through instead of 480p, 360p",
      renditions_refused: ["480p", "360p"]
    })
  })
})
