/**
 * Recordings: one per session, recording -> finalising -> ready or failed, deleted once settled.
 */
import { assert, describe, it } from "@effect/vitest"
import { RecordingDecider } from "../src/recording/RecordingDecider.ts"
import type { RecordingEvent } from "../src/recording/RecordingEvent.ts"
import { accountId, appId, livestreamId, nodeA, session1, t } from "./Fixtures.ts"
import { spec } from "./Spec.ts"

const recordingId = session1
const started: RecordingEvent = { _tag: "RecordingStarted", recordingId, at: t(0), livestreamId, accountId, appId, nodeId: nodeA }
const finalising: RecordingEvent = { _tag: "RecordingFinalising", recordingId, at: t(60) }
const assets = {
  mp4Path: `recordings/${recordingId}/recording.mp4`,
  vodPath: `recordings/${recordingId}/vod/index.m3u8`,
  posterPath: `recordings/${recordingId}/poster.jpg`,
  durationSeconds: 58.2,
  size: 12_345_678,
  width: 1280,
  height: 720,
  videoCodec: "h264",
  audioCodec: "aac",
  sha256: "a".repeat(64),
  vodSize: 12_400_000
}
const storage = { _tag: "S3", bucket: "recordings", keyPrefix: "onair/" } as const
const ready: RecordingEvent = { _tag: "RecordingReady", recordingId, at: t(61), assets, storage }
const { given } = spec(RecordingDecider)

describe("RecordingDecider", () => {
  it("starts once per session, recording on the node that holds it", () => {
    const state = given().when({ ...started, _tag: "StartRecording" }).then(started)
    assert.strictEqual(state?.phase._tag, "Recording")
    assert.strictEqual(state?.nodeId, nodeA)
    given(started).when({ ...started, _tag: "StartRecording", at: t(1) }).thenFails("RecordingAlreadyStarted", { recordingId })
  })

  it("finalises when its session ends, once; then completes with its files", () => {
    given(started).when({ _tag: "FinaliseRecording", recordingId, at: t(60) }).then(finalising)
    given(started, finalising).when({ _tag: "FinaliseRecording", recordingId, at: t(60) }).then()
    const state = given(started, finalising).when({ _tag: "CompleteRecording", recordingId, at: t(61), assets, storage }).then(ready)
    assert.deepStrictEqual(state?.phase, { _tag: "Ready", assets, storage })
  })

  it("completes only what is being finalised", () => {
    given(started).when({ _tag: "CompleteRecording", recordingId, at: t(61), assets, storage })
      .thenFails("RecordingNotInProgress", { recordingId, phase: "Recording" })
  })

  it("fails while recording (its node was lost) or while finalising, with the reason; never once settled", () => {
    given(started).when({ _tag: "FailRecording", recordingId, at: t(30), reason: "media node lost" })
      .then({ _tag: "RecordingFailed", recordingId, at: t(30), reason: "media node lost" })
    given(started, finalising).when({ _tag: "FailRecording", recordingId, at: t(61), reason: "disk full" })
      .then({ _tag: "RecordingFailed", recordingId, at: t(61), reason: "disk full" })
    given(started, finalising, ready).when({ _tag: "FailRecording", recordingId, at: t(62), reason: "finalise failed" })
      .thenFails("RecordingAlreadySettled", { recordingId, phase: "Ready" })
  })

  it("becomes ready when the copy its node kept is uploaded after storage was unreachable, and only then", () => {
    const unreachable: RecordingEvent = { _tag: "RecordingFailed", recordingId, at: t(62), reason: "storage unreachable" }
    const state = given(started, finalising, unreachable).when({ _tag: "CompleteRecording", recordingId, at: t(400), assets, storage })
      .then({ _tag: "RecordingReady", recordingId, at: t(400), assets, storage })
    assert.strictEqual(state?.phase._tag, "Ready")
    given(started, finalising, { ...unreachable, reason: "disk full" })
      .when({ _tag: "CompleteRecording", recordingId, at: t(400), assets, storage })
      .thenFails("RecordingNotInProgress", { recordingId, phase: "Failed" })
    given(started, finalising, unreachable, { _tag: "RecordingDeleted", recordingId, at: t(100) })
      .when({ _tag: "CompleteRecording", recordingId, at: t(400), assets, storage })
      .thenFails("RecordingDeleted", { recordingId })
  })

  it("is deleted once it is ready or failed, never while its files are being written, and not twice", () => {
    given(started).when({ _tag: "DeleteRecording", recordingId, at: t(5) }).thenFails("RecordingStillInProgress", { recordingId })
    const state = given(started, finalising, ready).when({ _tag: "DeleteRecording", recordingId, at: t(90) })
      .then({ _tag: "RecordingDeleted", recordingId, at: t(90) })
    assert.strictEqual(state?.deletedAt, t(90))
    given(started, finalising, ready, { _tag: "RecordingDeleted", recordingId, at: t(90) })
      .when({ _tag: "DeleteRecording", recordingId, at: t(91) })
      .thenFails("RecordingDeleted", { recordingId })
  })

  it("refuses a command older than its last change, and any command before it started", () => {
    given(started, finalising).when({ _tag: "CompleteRecording", recordingId, at: t(10), assets, storage }).thenFails("CommandOutOfOrder")
    given().when({ _tag: "FinaliseRecording", recordingId, at: t(1) }).thenFails("RecordingNotFound", { recordingId })
  })
})
