import { describe, it } from "@effect/vitest"
import { MeetingDecider } from "../src/meeting/MeetingDecider.ts"
import type { MeetingEvent } from "../src/meeting/MeetingEvent.ts"
import {
  accountId,
  alice,
  appId,
  bob,
  livestreamId,
  meetingId,
  meetingSession1,
  meetingSession2,
  t
} from "./Fixtures.ts"
import { spec } from "./Spec.ts"

const meeting = spec(MeetingDecider)
const id = { meetingId }
const created: MeetingEvent = {
  _tag: "MeetingCreated",
  ...id,
  at: t(0),
  accountId,
  appId,
  title: "All hands",
  liveStreamOnStart: false,
  recordOnStart: false
}
const inactive: MeetingEvent = { _tag: "MeetingStatusChanged", ...id, at: t(1), status: "INACTIVE" }
const opened: MeetingEvent = { _tag: "MeetingSessionOpened", ...id, at: t(2), meetingSessionId: meetingSession1 }
const aliceJoined: MeetingEvent = {
  _tag: "ParticipantJoined",
  ...id,
  at: t(3),
  meetingSessionId: meetingSession1,
  participantId: alice
}
const started: MeetingEvent = { _tag: "MeetingLivestreamStarted", ...id, at: t(4), livestreamId }

describe("Meeting decider", () => {
  describe("CreateMeeting", () => {
    const create = {
      _tag: "CreateMeeting" as const,
      ...id,
      at: t(0),
      accountId,
      appId,
      title: "All hands",
      liveStreamOnStart: false,
      recordOnStart: false
    }
    it("creates an ACTIVE meeting", () => {
      meeting.given().when(create).then(created)
    })
    it("rejects creating it twice", () => {
      meeting.given(created).when(create).thenFails("MeetingAlreadyExists")
    })
  })

  describe("SetMeetingStatus", () => {
    it("deactivates", () => {
      meeting
        .given(created)
        .when({ _tag: "SetMeetingStatus", ...id, at: t(1), status: "INACTIVE" })
        .then(inactive)
    })
    it("rejects an unchanged status", () => {
      meeting
        .given(created)
        .when({ _tag: "SetMeetingStatus", ...id, at: t(1), status: "ACTIVE" })
        .thenFails("MeetingStatusUnchanged")
    })
    it("rejects an unknown meeting", () => {
      meeting
        .given()
        .when({ _tag: "SetMeetingStatus", ...id, at: t(1), status: "ACTIVE" })
        .thenFails("MeetingNotFound")
    })
  })

  describe("OpenMeetingSession", () => {
    it("opens a session", () => {
      meeting
        .given(created)
        .when({ _tag: "OpenMeetingSession", ...id, at: t(2), meetingSessionId: meetingSession1 })
        .then(opened)
    })
    it("rejects a second open session", () => {
      meeting
        .given(created, opened)
        .when({ _tag: "OpenMeetingSession", ...id, at: t(3), meetingSessionId: meetingSession2 })
        .thenFails("MeetingSessionAlreadyOpen", { openMeetingSessionId: meetingSession1 })
    })
    it("rejects an INACTIVE meeting", () => {
      meeting
        .given(created, inactive)
        .when({ _tag: "OpenMeetingSession", ...id, at: t(2), meetingSessionId: meetingSession1 })
        .thenFails("MeetingInactive")
    })
  })

  describe("CloseMeetingSession", () => {
    it("closes the open session", () => {
      meeting
        .given(created, opened, aliceJoined)
        .when({ _tag: "CloseMeetingSession", ...id, at: t(9), meetingSessionId: meetingSession1 })
        .then({ _tag: "MeetingSessionClosed", ...id, at: t(9), meetingSessionId: meetingSession1, openedAt: t(2) })
    })
    it("rejects a session that is not the open one", () => {
      meeting
        .given(created, opened)
        .when({ _tag: "CloseMeetingSession", ...id, at: t(9), meetingSessionId: meetingSession2 })
        .thenFails("MeetingSessionNotOpen")
    })
    it("closed by the room's end, tells the app of it too; after the session closed, only tells it", () => {
      const forwarded = { type: "room.end.success" as const, data: { reason: "done", source: "peer" } }
      meeting
        .given(created, opened)
        .when({ _tag: "CloseMeetingSession", ...id, at: t(9), meetingSessionId: meetingSession1, forwarded })
        .then(
          { _tag: "MeetingSessionClosed", ...id, at: t(9), meetingSessionId: meetingSession1, openedAt: t(2) },
          { _tag: "EngineEventForwarded", ...id, at: t(9), forwarded }
        )
      meeting
        .given(created)
        .when({ _tag: "CloseMeetingSession", ...id, at: t(9), meetingSessionId: meetingSession1, forwarded })
        .then({ _tag: "EngineEventForwarded", ...id, at: t(9), forwarded })
    })
  })

  describe("ForwardEngineEvent", () => {
    it("keeps the fields the seed lists for the event's type, and no other", () => {
      meeting
        .given(created)
        .when({
          _tag: "ForwardEngineEvent",
          ...id,
          at: t(3),
          forwarded: { type: "role.change.success", data: { role: "host", previous_role: "guest", mood: "good" } }
        })
        .then({
          _tag: "EngineEventForwarded",
          ...id,
          at: t(3),
          forwarded: { type: "role.change.success", data: { role: "host", previous_role: "guest" } }
        })
    })
  })

  describe("JoinParticipant", () => {
    it("joins the open session", () => {
      meeting
        .given(created, opened)
        .when({ _tag: "JoinParticipant", ...id, at: t(3), participantId: alice })
        .then(aliceJoined)
    })
    it("rejects joining twice", () => {
      meeting
        .given(created, opened, aliceJoined)
        .when({ _tag: "JoinParticipant", ...id, at: t(4), participantId: alice })
        .thenFails("ParticipantAlreadyJoined")
    })
    it("rejects joining with no open session", () => {
      meeting
        .given(created)
        .when({ _tag: "JoinParticipant", ...id, at: t(4), participantId: alice })
        .thenFails("MeetingSessionNotOpen")
    })
  })

  describe("LeaveParticipant", () => {
    it("leaves the open session", () => {
      meeting
        .given(created, opened, aliceJoined)
        .when({ _tag: "LeaveParticipant", ...id, at: t(5), participantId: alice })
        .then({ _tag: "ParticipantLeft", ...id, at: t(5), meetingSessionId: meetingSession1, participantId: alice })
    })
    it("rejects a participant who is not there", () => {
      meeting
        .given(created, opened, aliceJoined)
        .when({ _tag: "LeaveParticipant", ...id, at: t(5), participantId: bob })
        .thenFails("ParticipantNotJoined")
    })
    it("rejects leaving with no open session", () => {
      meeting
        .given(created)
        .when({ _tag: "LeaveParticipant", ...id, at: t(5), participantId: bob })
        .thenFails("MeetingSessionNotOpen")
    })
  })

  describe("StartMeetingLivestream", () => {
    it("starts a livestream", () => {
      meeting
        .given(created)
        .when({ _tag: "StartMeetingLivestream", ...id, at: t(4), livestreamId })
        .then(started)
    })
    it("rejects a second active livestream", () => {
      meeting
        .given(created, started)
        .when({ _tag: "StartMeetingLivestream", ...id, at: t(5), livestreamId })
        .thenFails("MeetingLivestreamAlreadyActive")
    })
    it("rejects an INACTIVE meeting", () => {
      meeting
        .given(created, inactive)
        .when({ _tag: "StartMeetingLivestream", ...id, at: t(5), livestreamId })
        .thenFails("MeetingInactive")
    })
  })

  describe("StopMeetingLivestream", () => {
    it("stops the active livestream", () => {
      meeting
        .given(created, started)
        .when({ _tag: "StopMeetingLivestream", ...id, at: t(6) })
        .then({ _tag: "MeetingLivestreamStopped", ...id, at: t(6), livestreamId })
    })
    it("rejects a meeting with no active livestream", () => {
      meeting
        .given(created)
        .when({ _tag: "StopMeetingLivestream", ...id, at: t(6) })
        .thenFails("NoActiveMeetingLivestream")
    })
    it("rejects a command older than the last change", () => {
      meeting
        .given(created, started)
        .when({ _tag: "StopMeetingLivestream", ...id, at: t(3) })
        .thenFails("CommandOutOfOrder")
    })
  })
})
