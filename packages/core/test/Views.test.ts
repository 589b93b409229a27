/**
 * The views against the seeds: the seeds' own example payloads decode under OnAir's record schemas, and
 * states map to the documented values.
 */
import { assert, describe, it } from "@effect/vitest"
import { Exit, Schema } from "effect"
import { fold } from "../src/Decider.ts"
import { IngestDecider } from "../src/ingest/IngestDecider.ts"
import type { IngestEvent } from "../src/ingest/IngestEvent.ts"
import { LivestreamDecider } from "../src/livestream/LivestreamDecider.ts"
import type { LivestreamEvent } from "../src/livestream/LivestreamEvent.ts"
import { SessionDecider } from "../src/session/SessionDecider.ts"
import { dayWiseAnalytics, overallAnalytics, parseDay } from "../src/views/AnalyticsViews.ts"
import { ingestSessionStatus } from "../src/views/IngestSessionStatusView.ts"
import { liveEventStatus } from "../src/views/LiveEventStatusView.ts"
import { activeSessionRecord, livestreamRecord, sessionRecord } from "../src/views/LivestreamViews.ts"
import * as Seed from "../src/views/SeedRecords.ts"
import {
  accountId,
  appId,
  ingest1,
  key1,
  livestreamFields,
  livestreamId,
  nodeA,
  publisher,
  session1,
  t
} from "./Fixtures.ts"

const decodes = (schema: Schema.Top, value: unknown) =>
  Exit.isSuccess(Schema.decodeUnknownExit(schema as Schema.Codec<unknown>)(value))
const urls = {
  rtmpServer: "rtmp://127.0.0.1:1935/live",
  rtmpsServer: "rtmps://127.0.0.1:1936/live",
  playbackBase: "http://127.0.0.1:8787/hls/"
}

describe("seed examples decode under the record schemas", () => {
  it("seed 003 getStatus examples", () => {
    const source =
      '{"name":"live","publishEpochTime":"111111111","bandwidth":"1111111","videoResolution":"1920x1080","videoCodecId":"avc1.640028","audioCodecId":"mp4a.40.2","protocolType":"RTMP","sourceUrl":null,"streamName":"live","publisherIp":"11.111.1.11","publisherPort":0,"lastSourceConnectionTime":-1,"lastSourceDisconnectionTime":-1,"sourceConnectionsCount":0,"isSourceOnline":false,"isBlocked":false,"videoBitrate":0.0,"audioBitrate":0.0,"videoFps":0.0,"lastBitrateUpdate":0,"avgVideoBitrate":0.0,"avgAudioBitrate":0.0,"avgVideoFps":0.0}'
    for (const health of [[], ["Live manifest is not available."], [source], [source, `[${source}]`]]) {
      assert.isTrue(
        decodes(Seed.LiveEventStatusRecord, {
          value: [{ state: "Running", extendedState: "Running", healthDescriptions: health }]
        })
      )
      assert.isTrue(decodes(Seed.HealthDescriptions, health))
    }
    assert.isFalse(decodes(Seed.HealthDescriptions, ["Live manifest is ready."]))
  })

  it("seed 001 list and session-detail examples", () => {
    assert.isTrue(
      decodes(Seed.SessionRecord, {
        id: "3fd739f4-3c41-456e-bfba-6ebd51e16d2d",
        created_at: "2019-12-27T18:11:19.117Z",
        err_message: "err_message",
        ingest_seconds: 0,
        invoked_time: "2019-12-27T18:11:19.117Z",
        livestream_id: "78dd0b50-4147-4bb8-88d3-2ccc2e98bff0",
        started_time: "2019-12-27T18:11:19.117Z",
        stopped_time: "2019-12-27T18:11:19.117Z",
        updated_at: "2019-12-27T18:11:19.117Z",
        viewer_seconds: 0
      })
    )
    assert.isTrue(decodes(Seed.OverallAnalyticsRecord, { count: 0, total_ingest_seconds: 0, total_viewer_seconds: 0 }))
  })
})

const created: LivestreamEvent = { _tag: "LivestreamCreated", ...livestreamFields }
const invoked: LivestreamEvent = { _tag: "BroadcastInvoked", livestreamId, at: t(0), sessionId: session1 }
const connected: LivestreamEvent = {
  _tag: "PublisherConnected",
  livestreamId,
  at: t(10),
  sessionId: session1,
  ingestId: ingest1,
  resumed: false
}
const accepted: IngestEvent = {
  _tag: "IngestAccepted",
  ingestId: ingest1,
  at: t(10),
  nodeId: nodeA,
  publisher,
  livestreamId,
  sessionId: session1
}
const health = {
  width: 1280,
  height: 720,
  videoCodecId: "avc1.640028",
  audioCodecId: "mp4a.40.2",
  videoBitrate: 2_500_000,
  audioBitrate: 128_000,
  videoFps: 30,
  renditions: []
}

describe("views of states", () => {
  const live = fold(LivestreamDecider, [created, invoked, connected])!
  const session = fold(SessionDecider, [
    { _tag: "SessionInvoked", sessionId: session1, at: t(0), livestreamId, accountId, appId },
    { _tag: "SessionStarted", sessionId: session1, at: t(10), ingestId: ingest1 }
  ])!

  it("a new livestream is INVOKED, enabled, with key-free playback and a slash-ended ingest server", () => {
    const record = livestreamRecord(fold(LivestreamDecider, [created, invoked])!, urls)
    assert.strictEqual(record.status, "INVOKED")
    assert.strictEqual(record.disabled, "")
    assert.strictEqual(record.ingest_server, "rtmp://127.0.0.1:1935/live/")
    assert.strictEqual(record.playback_url, `http://127.0.0.1:8787/hls/${livestreamId}/index.m3u8`)
    assert.notInclude(record.playback_url, key1)
    assert.isTrue(decodes(Seed.LivestreamRecord, record))
  })

  it("a live session counts ingest seconds up to now; the active record gives them as strings", () => {
    assert.strictEqual(sessionRecord(session, t(75)).ingest_seconds, 65)
    assert.strictEqual(activeSessionRecord(session, t(75)).ingest_seconds, "65")
  })

  it("getStatus goes from no encoder, to manifest not available, to the ingest JSON", () => {
    const idle = fold(LivestreamDecider, [created, invoked])!
    assert.deepStrictEqual(
      liveEventStatus({ livestream: idle, session: null, ingest: null, mediaReady: true }).value[0].healthDescriptions,
      []
    )
    const ingest = fold(IngestDecider, [
      accepted,
      { _tag: "IngestHealthSampled", ingestId: ingest1, at: t(12), health }
    ])
    assert.deepStrictEqual(
      liveEventStatus({ livestream: live, session, ingest, mediaReady: true }).value[0].healthDescriptions,
      ["Live manifest is not available."]
    )
    const playable = fold(IngestDecider, [{ _tag: "ManifestAvailable", ingestId: ingest1, at: t(13) }], ingest)
    const [json] = liveEventStatus({ livestream: live, session, ingest: playable, mediaReady: true }).value[0]
      .healthDescriptions
    const parsed = JSON.parse(json ?? "{}")
    assert.strictEqual(parsed.videoResolution, "1280x720")
    assert.strictEqual(parsed.videoCodecId, "avc1.640028")
    assert.strictEqual(parsed.publisherIp, publisher.ip)
    assert.strictEqual(parsed.streamName, livestreamId)
    const abr = fold(
      IngestDecider,
      [
        {
          _tag: "IngestHealthSampled",
          ingestId: ingest1,
          at: t(14),
          health: {
            ...health,
            renditions: [
              {
                name: "480p",
                width: 854,
                height: 480,
                videoCodecId: "avc1.42c01e",
                audioCodecId: "mp4a.40.2",
                bandwidth: 900_000
              }
            ]
          }
        }
      ],
      playable
    )
    const descriptions = liveEventStatus({ livestream: live, session, ingest: abr, mediaReady: true }).value[0]
      .healthDescriptions
    assert.strictEqual(descriptions.length, 2)
    assert.isTrue(decodes(Seed.HealthDescriptions, descriptions))
  })

  it("getStatus is Stopped for a disabled livestream and Starting while the media server is not ready", () => {
    const disabled = fold(LivestreamDecider, [
      created,
      invoked,
      { _tag: "LivestreamDisabled", livestreamId, at: t(1), reason: "requested" }
    ])!
    const stopped = fold(
      LivestreamDecider,
      [
        {
          _tag: "BroadcastEnded",
          livestreamId,
          at: t(1),
          sessionId: session1,
          reason: "disabled",
          errMessage: null,
          droppedIngestId: null
        }
      ],
      disabled
    )!
    assert.deepStrictEqual(
      liveEventStatus({ livestream: stopped, session: null, ingest: null, mediaReady: true }).value[0],
      { state: "Stopped", extendedState: "Stopped", healthDescriptions: [] }
    )
    assert.strictEqual(
      liveEventStatus({ livestream: live, session, ingest: null, mediaReady: false }).value[0].extendedState,
      "Starting"
    )
  })

  it("the ingest record is status 4 while live, and 3 after a start timeout", () => {
    const record = ingestSessionStatus({ livestream: live, session, ingest: null, urls, mediaReady: true })
    assert.strictEqual(record.status, "4")
    assert.strictEqual(record.startTime, t(10) / 1000)
    assert.strictEqual(record.rtmpLink, urls.rtmpServer)
    assert.isTrue(decodes(Seed.IngestSessionStatusRecord, record))
    const timedOut = fold(LivestreamDecider, [
      created,
      invoked,
      {
        _tag: "BroadcastEnded",
        livestreamId,
        at: t(600),
        sessionId: session1,
        reason: "start timeout",
        errMessage: null,
        droppedIngestId: null
      }
    ])!
    const stoppedSession = fold(
      SessionDecider,
      [
        {
          _tag: "SessionStopped",
          sessionId: session1,
          at: t(600),
          stoppedAt: t(600),
          reason: "start timeout",
          errMessage: null,
          connectedMillis: 0
        }
      ],
      fold(SessionDecider, [{ _tag: "SessionInvoked", sessionId: session1, at: t(0), livestreamId, accountId, appId }])
    )
    const ended = ingestSessionStatus({
      livestream: timedOut,
      session: stoppedSession,
      ingest: null,
      urls,
      mediaReady: true
    })
    assert.strictEqual(ended.status, "3")
    assert.strictEqual(ended.streamEndedReason, 7)
  })

  it("the views name the protocol the publisher came in by; an ingest recorded before protocols were is RTMP", () => {
    const views = (event: IngestEvent) => {
      const events: ReadonlyArray<IngestEvent> = [event, { _tag: "ManifestAvailable", ingestId: ingest1, at: t(13) }]
      const ingest = fold(IngestDecider, events)
      const record = ingestSessionStatus({ livestream: live, session, ingest, urls, mediaReady: true })
      assert.isTrue(decodes(Seed.IngestSessionStatusRecord, record))
      const [json] = liveEventStatus({ livestream: live, session, ingest, mediaReady: true }).value[0]
        .healthDescriptions
      assert.isTrue(decodes(Seed.HealthDescriptions, [json]))
      const { encoderType, isRtmpSession, protocol } = record
      return { encoderType, isRtmpSession, protocol, protocolType: JSON.parse(json ?? "{}").protocolType }
    }
    assert.deepStrictEqual(views(accepted), {
      encoderType: "rtmp",
      isRtmpSession: true,
      protocol: "rtmp",
      protocolType: "RTMP"
    })
    assert.deepStrictEqual(views({ ...accepted, protocol: "rtmps" }), {
      encoderType: "rtmp",
      isRtmpSession: true,
      protocol: "rtmps",
      protocolType: "RTMP"
    })
    assert.deepStrictEqual(views({ ...accepted, protocol: "webrtc" }), {
      encoderType: "webrtc",
      isRtmpSession: false,
      protocol: "webrtc",
      protocolType: "WebRTC"
    })
    assert.deepStrictEqual(views({ ...accepted, protocol: "srt" }), {
      encoderType: "unknown",
      isRtmpSession: false,
      protocol: "srt",
      protocolType: "SRT"
    })
    assert.isNull(ingestSessionStatus({ livestream: live, session, ingest: null, urls, mediaReady: true }).protocol)
  })

  it("analytics count sessions by their start and days by UTC date", () => {
    assert.deepStrictEqual(overallAnalytics([session], { from: t(0), to: t(100) }, t(70)), {
      count: 1,
      total_ingest_seconds: 60,
      total_viewer_seconds: 0
    })
    assert.deepStrictEqual(overallAnalytics([session], { from: t(11), to: t(100) }, t(70)), {
      count: 0,
      total_ingest_seconds: 0,
      total_viewer_seconds: 0
    })
    const day = parseDay("2026-11-21")!
    const record = dayWiseAnalytics({
      meetingSessions: [{ startedAt: t(0), endedAt: t(90) }],
      recordings: [],
      firstDay: day - 86_400_000,
      lastDay: day,
      asOf: t(100)
    })
    assert.deepStrictEqual(record.session_stats.day_stats, [
      { day: "2026-11-20", total_session_minutes: 0, total_sessions: 0 },
      { day: "2026-11-21", total_session_minutes: 1.5, total_sessions: 1 }
    ])
    assert.isTrue(decodes(Seed.DayWiseAnalyticsRecord, record))
    assert.isNull(parseDay("2026-02-30"))
  })
})
