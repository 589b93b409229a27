import { describe, it } from "@effect/vitest"
import { LivestreamDecider } from "../src/livestream/LivestreamDecider.ts"
import type { LivestreamEvent } from "../src/livestream/LivestreamEvent.ts"
import {
  ingest1,
  ingest2,
  key1,
  key2,
  livestreamFields,
  livestreamId,
  meetingId,
  session1,
  session2,
  t
} from "./Fixtures.ts"
import type { SrtPortNumber } from "../src/srt/SrtPortValues.ts"
import { spec } from "./Spec.ts"

const livestream = spec(LivestreamDecider)
const id = { livestreamId }

const created: LivestreamEvent = { _tag: "LivestreamCreated", ...livestreamFields }
const invoked: LivestreamEvent = { _tag: "BroadcastInvoked", ...id, at: t(0), sessionId: session1 }
const connected: LivestreamEvent = {
  _tag: "PublisherConnected",
  ...id,
  at: t(10),
  sessionId: session1,
  ingestId: ingest1,
  resumed: false
}
const disconnected: LivestreamEvent = {
  _tag: "PublisherDisconnected",
  ...id,
  at: t(20),
  sessionId: session1,
  ingestId: ingest1,
  deadline: t(80)
}
const ended = (at: number, reason: "stream closed" | "reconnection window expired"): LivestreamEvent => ({
  _tag: "BroadcastEnded",
  ...id,
  at: t(at),
  sessionId: session1,
  reason,
  errMessage: null,
  droppedIngestId: null
})
const disabled: LivestreamEvent = { _tag: "LivestreamDisabled", ...id, at: t(5), reason: "requested" }

describe("Livestream decider", () => {
  describe("CreateLivestream", () => {
    const create = { _tag: "CreateLivestream" as const, ...livestreamFields, sessionId: session1 }
    it("creates an independent livestream and invokes its first broadcast", () => {
      livestream.given().when(create).then(created, invoked)
    })
    it("creates a livestream for a meeting with its video config", () => {
      const forMeeting = { ...create, meetingId, videoConfig: { width: 1280, height: 720 } }
      livestream
        .given()
        .when(forMeeting)
        .then({ ...created, meetingId, videoConfig: { width: 1280, height: 720 } }, invoked)
    })
    it("rejects creating one twice", () => {
      livestream.given(created).when(create).thenFails("LivestreamAlreadyExists")
    })
  })

  describe("RenameLivestream", () => {
    it("renames", () => {
      livestream
        .given(created)
        .when({ _tag: "RenameLivestream", ...id, at: t(1), name: "Launch 2" })
        .then({ _tag: "LivestreamRenamed", ...id, at: t(1), name: "Launch 2" })
    })
    it("rejects an unknown livestream", () => {
      livestream
        .given()
        .when({ _tag: "RenameLivestream", ...id, at: t(1), name: "x" })
        .thenFails("LivestreamNotFound")
    })
    it("rejects a command older than the last change", () => {
      livestream
        .given(created, { _tag: "LivestreamRenamed", ...id, at: t(9), name: "a" })
        .when({ _tag: "RenameLivestream", ...id, at: t(8), name: "b" })
        .thenFails("CommandOutOfOrder", { at: t(8), lastChangedAt: t(9) })
    })
  })

  describe("SetRenditions", () => {
    it("changes the ladder, and nothing when it is the same", () => {
      livestream
        .given(created)
        .when({ _tag: "SetRenditions", ...id, at: t(1), renditions: ["source", "480p"] })
        .then({ _tag: "RenditionsChanged", ...id, at: t(1), renditions: ["source", "480p"] })
      livestream
        .given(created, { _tag: "RenditionsChanged", ...id, at: t(1), renditions: ["source", "480p"] })
        .when({ _tag: "SetRenditions", ...id, at: t(2), renditions: ["source", "480p"] })
        .then()
    })
  })

  describe("SetLatencyMode", () => {
    it("changes how viewers watch, and nothing when it is the same", () => {
      livestream
        .given(created)
        .when({ _tag: "SetLatencyMode", ...id, at: t(1), latencyMode: "low" })
        .then({ _tag: "LatencyModeChanged", ...id, at: t(1), latencyMode: "low" })
      livestream
        .given(created, { _tag: "LatencyModeChanged", ...id, at: t(1), latencyMode: "low" })
        .when({ _tag: "SetLatencyMode", ...id, at: t(2), latencyMode: "low" })
        .then()
      livestream
        .given(created)
        .when({ _tag: "SetLatencyMode", ...id, at: t(1), latencyMode: "standard" })
        .then()
    })
  })

  describe("SetDvrWindow", () => {
    it("changes how far back players may seek, and nothing when it is the same", () => {
      livestream
        .given(created)
        .when({ _tag: "SetDvrWindow", ...id, at: t(1), seconds: 3600 })
        .then({ _tag: "DvrWindowChanged", ...id, at: t(1), seconds: 3600 })
      livestream
        .given(created)
        .when({ _tag: "SetDvrWindow", ...id, at: t(1), seconds: 0 })
        .then()
    })
  })

  describe("SetSrtPort", () => {
    it("records the port the livestream holds, and its release", () => {
      const port = 10_000 as SrtPortNumber
      livestream
        .given(created)
        .when({ _tag: "SetSrtPort", ...id, at: t(1), port })
        .then({ _tag: "SrtPortChanged", ...id, at: t(1), port })
      livestream
        .given(created, { _tag: "SrtPortChanged", ...id, at: t(1), port })
        .when({ _tag: "SetSrtPort", ...id, at: t(2), port: null })
        .then({ _tag: "SrtPortChanged", ...id, at: t(2), port: null })
      livestream
        .given(created)
        .when({ _tag: "SetSrtPort", ...id, at: t(1), port: null })
        .then()
    })
  })

  describe("SetReconnectWindow", () => {
    it("sets the window", () => {
      livestream
        .given(created)
        .when({ _tag: "SetReconnectWindow", ...id, at: t(1), seconds: 0 })
        .then({ _tag: "ReconnectWindowChanged", ...id, at: t(1), seconds: 0 })
    })
    it("rejects a deleted livestream", () => {
      livestream
        .given(created, { _tag: "LivestreamDeleted", ...id, at: t(1) })
        .when({ _tag: "SetReconnectWindow", ...id, at: t(2), seconds: 10 })
        .thenFails("LivestreamNotFound")
    })
  })

  describe("DisableLivestream", () => {
    it("disables an idle livestream", () => {
      livestream
        .given(created)
        .when({ _tag: "DisableLivestream", ...id, at: t(5), reason: "requested" })
        .then(disabled)
    })
    it("ends a live broadcast with `disabled` and drops its publisher", () => {
      livestream
        .given(created, invoked, connected)
        .when({ _tag: "DisableLivestream", ...id, at: t(30), reason: "requested" })
        .then(
          {
            _tag: "BroadcastEnded",
            ...id,
            at: t(30),
            sessionId: session1,
            reason: "disabled",
            errMessage: null,
            droppedIngestId: ingest1
          },
          { ...disabled, at: t(30) }
        )
    })
    it("rejects disabling twice", () => {
      livestream
        .given(created, disabled)
        .when({ _tag: "DisableLivestream", ...id, at: t(6), reason: "requested" })
        .thenFails("LivestreamAlreadyDisabled")
    })
  })

  describe("EnableLivestream", () => {
    it("enables a disabled livestream", () => {
      livestream
        .given(created, disabled)
        .when({ _tag: "EnableLivestream", ...id, at: t(6) })
        .then({ _tag: "LivestreamEnabled", ...id, at: t(6) })
    })
    it("rejects enabling an enabled one", () => {
      livestream
        .given(created)
        .when({ _tag: "EnableLivestream", ...id, at: t(6) })
        .thenFails("LivestreamNotDisabled")
    })
  })

  describe("RotateStreamKey", () => {
    it("rotates the key", () => {
      livestream
        .given(created)
        .when({ _tag: "RotateStreamKey", ...id, at: t(1), streamKey: key2 })
        .then({ _tag: "StreamKeyRotated", ...id, at: t(1), streamKey: key2 })
    })
    it("with grace, says until when the key it replaces still publishes", () => {
      livestream
        .given(created)
        .when({ _tag: "RotateStreamKey", ...id, at: t(1), streamKey: key2, graceSeconds: 60 })
        .then({ _tag: "StreamKeyRotated", ...id, at: t(1), streamKey: key2, previousKeyExpiresAt: t(61) })
    })
    it("rejects a rotation to the same key", () => {
      livestream
        .given(created)
        .when({ _tag: "RotateStreamKey", ...id, at: t(1), streamKey: key1 })
        .thenFails("StreamKeyUnchanged")
    })
  })

  describe("DeleteLivestream", () => {
    it("ends an invoked broadcast by request and deletes", () => {
      livestream
        .given(created, invoked)
        .when({ _tag: "DeleteLivestream", ...id, at: t(3) })
        .then(
          {
            _tag: "BroadcastEnded",
            ...id,
            at: t(3),
            sessionId: session1,
            reason: "stopped by request",
            errMessage: null,
            droppedIngestId: null
          },
          { _tag: "LivestreamDeleted", ...id, at: t(3) }
        )
    })
    it("rejects deleting twice", () => {
      livestream
        .given(created, { _tag: "LivestreamDeleted", ...id, at: t(1) })
        .when({ _tag: "DeleteLivestream", ...id, at: t(2) })
        .thenFails("LivestreamNotFound")
    })
  })

  describe("StopBroadcast", () => {
    it("ends a live broadcast by request and disables the key so the encoder cannot return", () => {
      livestream
        .given(created, invoked, connected)
        .when({ _tag: "StopBroadcast", ...id, at: t(30) })
        .then(
          {
            _tag: "BroadcastEnded",
            ...id,
            at: t(30),
            sessionId: session1,
            reason: "stopped by request",
            errMessage: null,
            droppedIngestId: ingest1
          },
          { _tag: "LivestreamDisabled", ...id, at: t(30), reason: "stopped" }
        )
    })
    it("rejects stopping an idle, disabled livestream", () => {
      livestream
        .given(created, invoked, ended(1, "stream closed"), disabled)
        .when({ _tag: "StopBroadcast", ...id, at: t(30) })
        .thenFails("NoBroadcastInProgress")
    })
  })

  describe("ConnectPublisher", () => {
    const connect = {
      _tag: "ConnectPublisher" as const,
      ...id,
      at: t(10),
      ingestId: ingest1,
      streamKey: key1,
      sessionId: session2
    }
    it("starts the invoked broadcast at the first media", () => {
      livestream.given(created, invoked).when(connect).then(connected)
    })
    it("resumes the same session inside the reconnect window", () => {
      livestream
        .given(created, invoked, connected, disconnected)
        .when({ ...connect, at: t(79), ingestId: ingest2 })
        .then({ ...connected, at: t(79), ingestId: ingest2, resumed: true })
    })
    it("opens a new session on an idle livestream", () => {
      livestream
        .given(created, invoked, connected, disconnected, ended(80, "reconnection window expired"))
        .when({ ...connect, at: t(90) })
        .then(
          { _tag: "BroadcastInvoked", ...id, at: t(90), sessionId: session2 },
          { ...connected, at: t(90), sessionId: session2 }
        )
    })
    it("ends the old session at its deadline when the encoder returns after the window but before the timer", () => {
      livestream
        .given(created, invoked, connected, disconnected)
        .when({ ...connect, at: t(85) })
        .then(
          ended(80, "reconnection window expired"),
          { _tag: "BroadcastInvoked", ...id, at: t(85), sessionId: session2 },
          { ...connected, at: t(85), sessionId: session2 }
        )
    })
    it("takes the key a rotation replaced while its grace lasts, refuses it after (`stream key expired`)", () => {
      const rotated: LivestreamEvent = {
        _tag: "StreamKeyRotated",
        ...id,
        at: t(1),
        streamKey: key2,
        previousKeyExpiresAt: t(11)
      }
      livestream.given(created, rotated, invoked).when(connect).then(connected)
      livestream
        .given(created, rotated, invoked)
        .when({ ...connect, at: t(11) })
        .thenFails("StreamKeyExpired")
      // A second rotation without grace takes the first key away for good.
      livestream
        .given(created, rotated, { _tag: "StreamKeyRotated", ...id, at: t(2), streamKey: key1 }, invoked)
        .when({ ...connect, streamKey: key2 })
        .thenFails("StreamKeyMismatch")
    })
    it("rejects a key that is not the current one (`unknown key`)", () => {
      livestream
        .given(created, { _tag: "StreamKeyRotated", ...id, at: t(1), streamKey: key2 }, invoked)
        .when(connect)
        .thenFails("StreamKeyMismatch")
    })
    it("rejects a disabled livestream (`stream key disabled`)", () => {
      livestream.given(created, invoked, disabled).when(connect).thenFails("StreamKeyDisabled")
    })
    it("rejects a second publisher while one is live (`already connected`)", () => {
      livestream
        .given(created, invoked, connected)
        .when({ ...connect, at: t(11), ingestId: ingest2 })
        .thenFails("AlreadyConnected", { connectedIngestId: ingest1 })
    })
    it("rejects reusing the last session's id for a new session", () => {
      livestream
        .given(created, invoked, connected, ended(15, "stream closed"))
        .when({ ...connect, at: t(20), sessionId: session1 })
        .thenFails("SessionIdReused")
    })
  })

  describe("DisconnectPublisher", () => {
    it("keeps the session open until the reconnect window's deadline", () => {
      livestream
        .given(created, invoked, connected)
        .when({ _tag: "DisconnectPublisher", ...id, at: t(20), ingestId: ingest1 })
        .then(disconnected)
    })
    it("ends the broadcast at once with `stream closed` when the window is 0", () => {
      livestream
        .given(created, { _tag: "ReconnectWindowChanged", ...id, at: t(0), seconds: 0 }, invoked, connected)
        .when({ _tag: "DisconnectPublisher", ...id, at: t(20), ingestId: ingest1 })
        .then({ ...disconnected, deadline: t(20) }, ended(20, "stream closed"))
    })
    it("rejects a connection that is not the publisher", () => {
      livestream
        .given(created, invoked, connected)
        .when({ _tag: "DisconnectPublisher", ...id, at: t(20), ingestId: ingest2 })
        .thenFails("PublisherNotConnected")
    })
  })

  describe("FailPublish", () => {
    it("ends the broadcast with `publish error` and the message", () => {
      livestream
        .given(created, invoked, connected)
        .when({ _tag: "FailPublish", ...id, at: t(20), ingestId: ingest1, message: "bad codec" })
        .then({
          _tag: "BroadcastEnded",
          ...id,
          at: t(20),
          sessionId: session1,
          reason: "publish error",
          errMessage: "bad codec",
          droppedIngestId: ingest1
        })
    })
    it("rejects a connection that is not the publisher", () => {
      livestream
        .given(created, invoked)
        .when({ _tag: "FailPublish", ...id, at: t(20), ingestId: ingest1, message: "x" })
        .thenFails("PublisherNotConnected")
    })
  })

  describe("AbortBroadcast", () => {
    it("ends a reconnecting broadcast with `internal error`", () => {
      livestream
        .given(created, invoked, connected, disconnected)
        .when({ _tag: "AbortBroadcast", ...id, at: t(30), message: "media server restarted" })
        .then({
          _tag: "BroadcastEnded",
          ...id,
          at: t(30),
          sessionId: session1,
          reason: "internal error",
          errMessage: "media server restarted",
          droppedIngestId: null
        })
    })
    it("rejects an idle livestream", () => {
      livestream
        .given(created, invoked, ended(1, "stream closed"))
        .when({ _tag: "AbortBroadcast", ...id, at: t(30), message: "x" })
        .thenFails("NoBroadcastInProgress")
    })
  })

  describe("ExpireReconnectWindow", () => {
    const expire = { _tag: "ExpireReconnectWindow" as const, ...id, at: t(81), sessionId: session1 }
    it("ends the session at the deadline once it is due", () => {
      livestream
        .given(created, invoked, connected, disconnected)
        .when(expire)
        .then(ended(80, "reconnection window expired"))
    })
    it("rejects firing before the deadline", () => {
      livestream
        .given(created, invoked, connected, disconnected)
        .when({ ...expire, at: t(79) })
        .thenFails("TimerNotDue", { dueAt: t(80) })
    })
    it("rejects a timer for a session whose encoder came back", () => {
      livestream
        .given(created, invoked, connected, disconnected, { ...connected, at: t(30), resumed: true })
        .when(expire)
        .thenFails("StaleTimer")
    })
  })

  describe("ExpireStartTimeout", () => {
    const expire = { _tag: "ExpireStartTimeout" as const, ...id, at: t(600), sessionId: session1 }
    it("ends an invoked broadcast with no media with `start timeout`", () => {
      livestream
        .given(created, invoked)
        .when(expire)
        .then({
          _tag: "BroadcastEnded",
          ...id,
          at: t(600),
          sessionId: session1,
          reason: "start timeout",
          errMessage: null,
          droppedIngestId: null
        })
    })
    it("rejects firing early", () => {
      livestream
        .given(created, invoked)
        .when({ ...expire, at: t(599) })
        .thenFails("TimerNotDue")
    })
    it("rejects a broadcast that started", () => {
      livestream.given(created, invoked, connected).when(expire).thenFails("StaleTimer")
    })
  })

  describe("ReachMaximumDuration", () => {
    const reach = { _tag: "ReachMaximumDuration" as const, ...id, at: t(3610), sessionId: session1 }
    it("ends the broadcast, drops the publisher and disables the key", () => {
      livestream
        .given(created, invoked, connected)
        .when(reach)
        .then(
          {
            _tag: "BroadcastEnded",
            ...id,
            at: t(3610),
            sessionId: session1,
            reason: "maximum duration reached",
            errMessage: null,
            droppedIngestId: ingest1
          },
          { _tag: "LivestreamDisabled", ...id, at: t(3610), reason: "maximum duration reached" }
        )
    })
    it("rejects firing before the maximum duration", () => {
      livestream
        .given(created, invoked, connected)
        .when({ ...reach, at: t(3609) })
        .thenFails("TimerNotDue", { dueAt: t(3610) })
    })
    it("rejects a broadcast that never started", () => {
      livestream.given(created, invoked).when(reach).thenFails("StaleTimer")
    })
  })
})
