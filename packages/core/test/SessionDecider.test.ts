import { assert, describe, it } from "@effect/vitest"
import { SessionDecider } from "../src/session/SessionDecider.ts"
import type { SessionEvent } from "../src/session/SessionEvent.ts"
import { accountId, appId, ingest1, ingest2, livestreamId, session1, t } from "./Fixtures.ts"
import { spec } from "./Spec.ts"

const session = spec(SessionDecider)
const id = { sessionId: session1 }
const invoked: SessionEvent = { _tag: "SessionInvoked", ...id, at: t(0), livestreamId, accountId, appId }
const started: SessionEvent = { _tag: "SessionStarted", ...id, at: t(10), ingestId: ingest1 }
const disconnected: SessionEvent = { _tag: "MediaDisconnected", ...id, at: t(20), connectedMillis: 10_000 }
const stop = {
  _tag: "StopSession" as const,
  ...id,
  at: t(50),
  endedAt: t(50),
  reason: "stream closed" as const,
  errMessage: null
}

describe("Session decider", () => {
  describe("InvokeSession", () => {
    it("invokes a session for a livestream", () => {
      session
        .given()
        .when({ _tag: "InvokeSession", ...id, at: t(0), livestreamId, accountId, appId })
        .then(invoked)
    })
    it("rejects invoking twice", () => {
      session
        .given(invoked)
        .when({ _tag: "InvokeSession", ...id, at: t(1), livestreamId, accountId, appId })
        .thenFails("SessionAlreadyExists")
    })
  })

  describe("ConnectMedia", () => {
    it("starts the session at its first media", () => {
      const state = session
        .given(invoked)
        .when({ _tag: "ConnectMedia", ...id, at: t(10), ingestId: ingest1 })
        .then(started)
      assert.strictEqual(state?.startedAt, t(10))
    })
    it("records a reconnect without moving the start", () => {
      const state = session
        .given(invoked, started, disconnected)
        .when({ _tag: "ConnectMedia", ...id, at: t(30), ingestId: ingest2 })
        .then({ _tag: "MediaReconnected", ...id, at: t(30), ingestId: ingest2 })
      assert.strictEqual(state?.startedAt, t(10))
      assert.strictEqual(state?.connections, 2)
    })
    it("rejects media while media is connected", () => {
      session
        .given(invoked, started)
        .when({ _tag: "ConnectMedia", ...id, at: t(11), ingestId: ingest2 })
        .thenFails("MediaAlreadyConnected")
    })
    it("rejects a stopped session", () => {
      session
        .given(invoked, started, {
          _tag: "SessionStopped",
          ...id,
          at: t(12),
          stoppedAt: t(12),
          reason: "disabled",
          errMessage: null,
          connectedMillis: 2000
        })
        .when({ _tag: "ConnectMedia", ...id, at: t(13), ingestId: ingest2 })
        .thenFails("SessionAlreadyStopped")
    })
    it("rejects an unknown session", () => {
      session
        .given()
        .when({ _tag: "ConnectMedia", ...id, at: t(13), ingestId: ingest2 })
        .thenFails("SessionNotFound")
    })
    it("rejects a command older than the last change", () => {
      session
        .given(invoked, started, disconnected)
        .when({ _tag: "ConnectMedia", ...id, at: t(19), ingestId: ingest2 })
        .thenFails("CommandOutOfOrder")
    })
  })

  describe("DisconnectMedia", () => {
    it("closes the connected interval into ingest seconds", () => {
      const state = session
        .given(invoked, started)
        .when({ _tag: "DisconnectMedia", ...id, at: t(20) })
        .then(disconnected)
      assert.strictEqual(state?.ingestMillis, 10_000)
      assert.strictEqual(state?.lastDisconnectedAt, t(20))
    })
    it("rejects a session with no media connected", () => {
      session
        .given(invoked)
        .when({ _tag: "DisconnectMedia", ...id, at: t(20) })
        .thenFails("MediaNotConnected")
    })
  })

  describe("AccrueViewerSeconds", () => {
    it("adds viewer time, even just after the end", () => {
      const stopped: SessionEvent = {
        _tag: "SessionStopped",
        ...id,
        at: t(30),
        stoppedAt: t(30),
        reason: "stream closed",
        errMessage: null,
        connectedMillis: 20_000
      }
      const state = session
        .given(invoked, started, stopped)
        .when({ _tag: "AccrueViewerSeconds", ...id, at: t(31), seconds: 12.5 })
        .then({ _tag: "ViewerSecondsAccrued", ...id, at: t(31), seconds: 12.5 })
      assert.strictEqual(state?.viewerSeconds, 12.5)
    })
    it("rejects a session that never had media", () => {
      session
        .given(invoked)
        .when({ _tag: "AccrueViewerSeconds", ...id, at: t(31), seconds: 4 })
        .thenFails("SessionNeverStarted")
    })
  })

  describe("StopSession", () => {
    it("stops a connected session, closing its interval", () => {
      const state = session
        .given(invoked, started)
        .when(stop)
        .then({
          _tag: "SessionStopped",
          ...id,
          at: t(50),
          stoppedAt: t(50),
          reason: "stream closed",
          errMessage: null,
          connectedMillis: 40_000
        })
      assert.strictEqual(state?.ingestMillis, 40_000)
    })
    it("stops at an earlier end (a window's deadline) noticed later", () => {
      session
        .given(invoked, started, disconnected, { _tag: "ViewerSecondsAccrued", ...id, at: t(85), seconds: 4 })
        .when({ ...stop, at: t(90), endedAt: t(80), reason: "reconnection window expired" })
        .then({
          _tag: "SessionStopped",
          ...id,
          at: t(90),
          stoppedAt: t(80),
          reason: "reconnection window expired",
          errMessage: null,
          connectedMillis: 0
        })
    })
    it("rejects stopping twice", () => {
      session
        .given(invoked, {
          _tag: "SessionStopped",
          ...id,
          at: t(5),
          stoppedAt: t(5),
          reason: "start timeout",
          errMessage: null,
          connectedMillis: 0
        })
        .when(stop)
        .thenFails("SessionAlreadyStopped")
    })
  })
})
