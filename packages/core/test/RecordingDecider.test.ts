/**
 * Recordings: one per session, recording -> finalising -> ready or failed, deleted once settled.
 */
import { assert, describe, it } from "@effect/vitest"
import { RecordingDecider } from "../src/recording/RecordingDecider.ts"
import type { RecordingEvent } from "../src/recording/RecordingEvent.ts"
import { accountId, appId, livestreamId, nodeA, session1, t } from "./Fixtures.ts"
import { spec } from "./Spec.ts"

const recordingId = session1
const recordingStarted: RecordingEvent = {
  _tag: "RecordingStarted",
  recordingId,
  at: t(0),
  livestreamId,
  accountId,
  appId,
  nodeId: nodeA
}
const finalising: RecordingEvent = { _tag: "RecordingFinalising", recordingId, at: t(60), transcribe: true }
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
    const state = given()
      .when({ ...recordingStarted, _tag: "StartRecording" })
      .then(recordingStarted)
    assert.strictEqual(state?.phase._tag, "Recording")
    assert.strictEqual(state?.nodeId, nodeA)
    given(recordingStarted)
      .when({ ...recordingStarted, _tag: "StartRecording", at: t(1) })
      .thenFails("RecordingAlreadyStarted", { recordingId })
  })

  it("finalises when its session ends, once; then completes with its files", () => {
    given(recordingStarted)
      .when({ _tag: "FinaliseRecording", recordingId, at: t(60), transcribe: true })
      .then(finalising)
    given(recordingStarted, finalising)
      .when({ _tag: "FinaliseRecording", recordingId, at: t(60), transcribe: true })
      .then()
    const state = given(recordingStarted, finalising)
      .when({ _tag: "CompleteRecording", recordingId, at: t(61), assets, storage })
      .then(ready)
    assert.deepStrictEqual(state?.phase, { _tag: "Ready", assets, storage })
  })

  it("completes only what is being finalised", () => {
    given(recordingStarted)
      .when({ _tag: "CompleteRecording", recordingId, at: t(61), assets, storage })
      .thenFails("RecordingNotInProgress", { recordingId, phase: "Recording" })
  })

  it("fails while recording (its node was lost) or while finalising, with the reason; never once settled", () => {
    given(recordingStarted)
      .when({ _tag: "FailRecording", recordingId, at: t(30), reason: "media node lost" })
      .then({ _tag: "RecordingFailed", recordingId, at: t(30), reason: "media node lost" })
    given(recordingStarted, finalising)
      .when({ _tag: "FailRecording", recordingId, at: t(61), reason: "disk full" })
      .then({ _tag: "RecordingFailed", recordingId, at: t(61), reason: "disk full" })
    given(recordingStarted, finalising, ready)
      .when({ _tag: "FailRecording", recordingId, at: t(62), reason: "finalise failed" })
      .thenFails("RecordingAlreadySettled", { recordingId, phase: "Ready" })
  })

  it("becomes ready when the copy its node kept is uploaded after storage was unreachable, and only then", () => {
    const unreachable: RecordingEvent = {
      _tag: "RecordingFailed",
      recordingId,
      at: t(62),
      reason: "storage unreachable"
    }
    const state = given(recordingStarted, finalising, unreachable)
      .when({ _tag: "CompleteRecording", recordingId, at: t(400), assets, storage })
      .then({ _tag: "RecordingReady", recordingId, at: t(400), assets, storage })
    assert.strictEqual(state?.phase._tag, "Ready")
    given(recordingStarted, finalising, { ...unreachable, reason: "disk full" })
      .when({ _tag: "CompleteRecording", recordingId, at: t(400), assets, storage })
      .thenFails("RecordingNotInProgress", { recordingId, phase: "Failed" })
    given(recordingStarted, finalising, unreachable, {
      _tag: "RecordingDeleted",
      recordingId,
      at: t(100),
      by: "retention"
    })
      .when({ _tag: "CompleteRecording", recordingId, at: t(400), assets, storage })
      .thenFails("RecordingDeleted", { recordingId })
  })

  it("is deleted once it is ready or failed, never while its files are being written, and not twice", () => {
    given(recordingStarted)
      .when({ _tag: "DeleteRecording", recordingId, at: t(5), by: "owner" })
      .thenFails("RecordingStillInProgress", { recordingId })
    const state = given(recordingStarted, finalising, ready)
      .when({ _tag: "DeleteRecording", recordingId, at: t(90), by: "owner" })
      .then({ _tag: "RecordingDeleted", recordingId, at: t(90), by: "owner" })
    assert.strictEqual(state?.deletedAt, t(90))
    given(recordingStarted, finalising, ready, { _tag: "RecordingDeleted", recordingId, at: t(90), by: "owner" })
      .when({ _tag: "DeleteRecording", recordingId, at: t(91), by: "owner" })
      .thenFails("RecordingDeleted", { recordingId })
  })

  it("refuses a command older than its last change, and any command before it recordingStarted", () => {
    given(recordingStarted, finalising)
      .when({ _tag: "CompleteRecording", recordingId, at: t(10), assets, storage })
      .thenFails("CommandOutOfOrder")
    given()
      .when({ _tag: "FinaliseRecording", recordingId, at: t(1), transcribe: false })
      .thenFails("RecordingNotFound", { recordingId })
  })

  it("transcribes a ready recording its app wanted transcribed, once; the transcript completes or fails with its reason", () => {
    const transcriptAssets = {
      txtPath: `recordings/${recordingId}/transcript.txt`,
      srtPath: `recordings/${recordingId}/transcript.srt`,
      jsonPath: `recordings/${recordingId}/transcript.json`,
      engine: "pocketsphinx",
      words: 42
    }
    const started: RecordingEvent = { _tag: "TranscriptionStarted", recordingId, at: t(62) }
    const state = given(recordingStarted, finalising, ready)
      .when({ _tag: "StartTranscription", recordingId, at: t(62) })
      .then(started)
    assert.deepStrictEqual(state?.transcription, { _tag: "Transcribing", since: t(62) })
    given(recordingStarted, finalising, ready, started)
      .when({ _tag: "StartTranscription", recordingId, at: t(63) })
      .then()
    const done = given(recordingStarted, finalising, ready, started)
      .when({ _tag: "CompleteTranscription", recordingId, at: t(70), assets: transcriptAssets })
      .then({ _tag: "TranscriptionReady", recordingId, at: t(70), assets: transcriptAssets })
    assert.strictEqual(done?.transcription?._tag, "Transcribed")
    given(recordingStarted, finalising, ready, started)
      .when({ _tag: "FailTranscription", recordingId, at: t(70), reason: "no audio" })
      .then({ _tag: "TranscriptionFailed", recordingId, at: t(70), reason: "no audio" })
    given(recordingStarted, finalising, ready, started, {
      _tag: "TranscriptionFailed",
      recordingId,
      at: t(70),
      reason: "no audio"
    })
      .when({ _tag: "StartTranscription", recordingId, at: t(71) })
      .thenFails("TranscriptionNotWanted", { recordingId, phase: "Ready" })
    given(recordingStarted, { ...finalising, transcribe: false }, ready)
      .when({ _tag: "StartTranscription", recordingId, at: t(62) })
      .thenFails("TranscriptionNotWanted", { recordingId, phase: "Ready" })
    given(recordingStarted, finalising)
      .when({ _tag: "StartTranscription", recordingId, at: t(62) })
      .thenFails("TranscriptionNotWanted", { recordingId, phase: "Finalising" })
    given(recordingStarted, finalising, ready)
      .when({ _tag: "CompleteTranscription", recordingId, at: t(70), assets: transcriptAssets })
      .thenFails("TranscriptionNotRunning", { recordingId, transcription: "none" })
  })
})
