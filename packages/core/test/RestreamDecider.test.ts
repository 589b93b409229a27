/**
 * Restream targets: created, changed and deleted by their owner; their relay per session: connecting,
 * live, retrying with backoff (1 s, 2 s, 4 s … 30 s), failed after the give-up time, stopped with the
 * session (or by a disable or deletion), each transition with its reason.
 */
import { assert, describe, it } from "@effect/vitest"
import { RestreamDecider } from "../src/restream/RestreamDecider.ts"
import type { RestreamEvent } from "../src/restream/RestreamEvent.ts"
import { RestreamStreamKey, RestreamTargetId, relayBackoffMillis } from "../src/restream/RestreamValues.ts"
import { accountId, appId, livestreamId, session1, session2, t } from "./Fixtures.ts"
import { spec } from "./Spec.ts"

const targetId = RestreamTargetId.make("rs_abcdefghijklmnopqrstuvwx")
const streamKey = RestreamStreamKey.make("live_1234_secret")
const created: RestreamEvent = {
  _tag: "RestreamTargetCreated",
  targetId,
  at: t(0),
  livestreamId,
  accountId,
  appId,
  url: "rtmps://live.example.com:443/app",
  streamKey,
  name: "YouTube",
  enabled: true,
  verifyTls: true
}
const connecting = (at: number, attempt: number, sessionId = session1): RestreamEvent => ({
  _tag: "RelayConnecting",
  targetId,
  at: t(at),
  sessionId,
  attempt
})
const live = (at: number, sessionId = session1): RestreamEvent => ({
  _tag: "RelayLive",
  targetId,
  at: t(at),
  sessionId
})
const { given } = spec(RestreamDecider)

describe("RestreamDecider", () => {
  it("is created once, changed field by field (nothing for no change), and deleted once", () => {
    const state = given()
      .when({ ...created, _tag: "CreateRestreamTarget" })
      .then(created)
    assert.deepStrictEqual([state?.relay._tag, state?.enabled, state?.streamKey], ["Idle", true, streamKey])
    given(created)
      .when({ ...created, _tag: "CreateRestreamTarget", at: t(1) })
      .thenFails("RestreamTargetAlreadyExists", { targetId })
    const renamed = given(created)
      .when({ _tag: "UpdateRestreamTarget", targetId, at: t(1), name: "Twitch", url: created.url })
      .then({ _tag: "RestreamTargetUpdated", targetId, at: t(1), name: "Twitch" })
    assert.strictEqual(renamed?.name, "Twitch")
    given(created)
      .when({ _tag: "UpdateRestreamTarget", targetId, at: t(1), name: "YouTube" })
      .then()
    const gone = given(created)
      .when({ _tag: "DeleteRestreamTarget", targetId, at: t(2) })
      .then({ _tag: "RestreamTargetDeleted", targetId, at: t(2) })
    assert.isTrue(gone?.deleted)
    given(created, { _tag: "RestreamTargetDeleted", targetId, at: t(2) })
      .when({ _tag: "StartRelay", targetId, at: t(3), sessionId: session1 })
      .thenFails("RestreamTargetDeleted", { targetId })
    given()
      .when({ _tag: "DeleteRestreamTarget", targetId, at: t(1) })
      .thenFails("RestreamTargetNotFound", { targetId })
  })

  it("starts its relay once per session, goes live, and stops with the session", () => {
    given(created)
      .when({ _tag: "StartRelay", targetId, at: t(10), sessionId: session1 })
      .then(connecting(10, 1))
    given(created, connecting(10, 1))
      .when({ _tag: "StartRelay", targetId, at: t(11), sessionId: session1 })
      .then()
    const state = given(created, connecting(10, 1))
      .when({ _tag: "RelayConnected", targetId, at: t(11), sessionId: session1 })
      .then(live(11))
    assert.strictEqual(state?.liveSince, t(11))
    given(created, connecting(10, 1), live(11))
      .when({ _tag: "StopRelay", targetId, at: t(70), sessionId: session1, reason: "session ended" })
      .then({ _tag: "RelayStopped", targetId, at: t(70), sessionId: session1, reason: "session ended" })
    given(created, connecting(10, 1), live(11))
      .when({ _tag: "StopRelay", targetId, at: t(70), sessionId: session2, reason: "session ended" })
      .then()
    given(created, { _tag: "RestreamTargetUpdated", targetId, at: t(1), enabled: false })
      .when({ _tag: "StartRelay", targetId, at: t(10), sessionId: session1 })
      .thenFails("RestreamTargetDisabled", { targetId })
  })

  it("retries a failed attempt after 1 s, 2 s, 4 s … at most 30 s, and fails with the reason after the give-up time", () => {
    assert.deepStrictEqual([2, 3, 4, 5, 6, 7, 8].map(relayBackoffMillis), [1000, 2000, 4000, 8000, 16000, 30000, 30000])
    const failedOnce = given(created, connecting(10, 1))
      .when({
        _tag: "RelayAttemptFailed",
        targetId,
        at: t(12),
        sessionId: session1,
        reason: "unreachable",
        giveUpAfterSeconds: 60
      })
      .then({
        _tag: "RelayRetrying",
        targetId,
        at: t(12),
        sessionId: session1,
        attempt: 2,
        retryAt: t(13),
        reason: "unreachable"
      })
    assert.strictEqual(failedOnce?.failingSince, t(12))
    assert.deepStrictEqual(failedOnce?.lastError, { reason: "unreachable", at: t(12) })
    const retrying: RestreamEvent = {
      _tag: "RelayRetrying",
      targetId,
      at: t(12),
      sessionId: session1,
      attempt: 2,
      retryAt: t(13),
      reason: "unreachable"
    }
    given(created, connecting(10, 1), retrying)
      .when({ _tag: "RetryRelay", targetId, at: t(12.5), sessionId: session1 })
      .then()
    given(created, connecting(10, 1), retrying)
      .when({ _tag: "RetryRelay", targetId, at: t(13), sessionId: session1 })
      .then(connecting(13, 2))
    given(created, connecting(10, 1), retrying, connecting(13, 2))
      .when({
        _tag: "RelayAttemptFailed",
        targetId,
        at: t(14),
        sessionId: session1,
        reason: "timed out",
        giveUpAfterSeconds: 60
      })
      .then({
        _tag: "RelayRetrying",
        targetId,
        at: t(14),
        sessionId: session1,
        attempt: 3,
        retryAt: t(16),
        reason: "timed out"
      })
    const failed = given(created, connecting(10, 1), retrying, connecting(72, 2))
      .when({
        _tag: "RelayAttemptFailed",
        targetId,
        at: t(73),
        sessionId: session1,
        reason: "refused by the target",
        giveUpAfterSeconds: 60
      })
      .then({ _tag: "RelayFailed", targetId, at: t(73), sessionId: session1, reason: "refused by the target" })
    assert.deepStrictEqual(failed?.relay, {
      _tag: "Failed",
      sessionId: session1,
      reason: "refused by the target",
      at: t(73)
    })
    given(created)
      .when({
        _tag: "RelayAttemptFailed",
        targetId,
        at: t(12),
        sessionId: session1,
        reason: "unreachable",
        giveUpAfterSeconds: 60
      })
      .thenFails("RelayNotRunning", { targetId, phase: "Idle" })
  })

  it("a live relay that drops retries from attempt 2, and going live again ends the failing run", () => {
    given(created, connecting(10, 1), live(11))
      .when({
        _tag: "RelayAttemptFailed",
        targetId,
        at: t(40),
        sessionId: session1,
        reason: "relay failed",
        giveUpAfterSeconds: 60
      })
      .then({
        _tag: "RelayRetrying",
        targetId,
        at: t(40),
        sessionId: session1,
        attempt: 2,
        retryAt: t(41),
        reason: "relay failed"
      })
    const back = given(
      created,
      connecting(10, 1),
      live(11),
      {
        _tag: "RelayRetrying",
        targetId,
        at: t(40),
        sessionId: session1,
        attempt: 2,
        retryAt: t(41),
        reason: "relay failed"
      },
      connecting(41, 2)
    )
      .when({ _tag: "RelayConnected", targetId, at: t(42), sessionId: session1 })
      .then(live(42))
    assert.deepStrictEqual(
      [back?.liveSince, back?.failingSince],
      [t(11), null],
      "the beam started at its first live; the failing run is over"
    )
  })

  it("a disable or deletion stops a running relay with its reason; a new session's start stops the old session's relay", () => {
    given(created, connecting(10, 1), live(11))
      .when({ _tag: "UpdateRestreamTarget", targetId, at: t(20), enabled: false })
      .then(
        { _tag: "RelayStopped", targetId, at: t(20), sessionId: session1, reason: "stopped by the owner" },
        { _tag: "RestreamTargetUpdated", targetId, at: t(20), enabled: false }
      )
    given(created, connecting(10, 1))
      .when({ _tag: "DeleteRestreamTarget", targetId, at: t(20) })
      .then(
        { _tag: "RelayStopped", targetId, at: t(20), sessionId: session1, reason: "target deleted" },
        { _tag: "RestreamTargetDeleted", targetId, at: t(20) }
      )
    given(created, connecting(10, 1), live(11))
      .when({ _tag: "StartRelay", targetId, at: t(90), sessionId: session2 })
      .then(
        { _tag: "RelayStopped", targetId, at: t(90), sessionId: session1, reason: "session ended" },
        connecting(90, 1, session2)
      )
  })

  it("refuses a command older than its last change", () => {
    given(created, connecting(10, 1))
      .when({ _tag: "RelayConnected", targetId, at: t(5), sessionId: session1 })
      .thenFails("CommandOutOfOrder")
  })
})
