/**
 * Ids, keys and instants for specs: fixed values, so every expectation is written out in full.
 */
import {
  AccountId,
  AppId,
  IngestId,
  LivestreamId,
  MediaNodeId,
  MeetingId,
  MeetingSessionId,
  ParticipantId,
  SessionId,
  StreamKey
} from "../src/Ids.ts"
import { Timestamp } from "../src/Time.ts"

export const accountId = AccountId.make("023e105f4ecef8ad9ca31a8372d0c353")
export const appId = AppId.make("app_1")
export const livestreamId = LivestreamId.make("78dd0b50-4147-4bb8-88d3-2ccc2e98bff0")
export const meetingId = MeetingId.make("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
export const session1 = SessionId.make("11111111-1111-4111-8111-111111111111")
export const session2 = SessionId.make("22222222-2222-4222-8222-222222222222")
export const ingest1 = IngestId.make("nginx-100-1")
export const ingest2 = IngestId.make("nginx-100-2")
export const key1 = StreamKey.make("f26566285faca6fbe2e79a73a66rsrrsrrsr3cde23a2bb7dbc6c2c1761b98f4e4")
export const key2 = StreamKey.make("a2bb7dbc6c2c1761b98f4e4f26566285faca6fbe2e79a73a66rsrrsrrsr3cde2")
export const meetingSession1 = MeetingSessionId.make("610f81ee870dde099a249948")
export const meetingSession2 = MeetingSessionId.make("610f81ee870dde099a249949")
export const alice = ParticipantId.make("83b869e1-9a4b-4037-84b2-913cf76e4392")
export const bob = ParticipantId.make("93b869e1-9a4b-4037-84b2-913cf76e4392")

/** `t(s)`: s seconds after a fixed epoch. */
export const T0 = Date.UTC(2026, 10, 21, 12, 0, 0)
export const t = (seconds: number) => Timestamp.make(T0 + seconds * 1000)

export const publisher = { ip: "203.0.113.7", port: 51234 }
export const nodeA = MediaNodeId.make("media-a")
export const limits = { startTimeoutSeconds: 600, maxDurationSeconds: 3600 }

/** The fields a livestream is created with, shared by the create command, signal and event. */
export const livestreamFields = {
  livestreamId,
  at: t(0),
  accountId,
  appId,
  name: "Launch",
  meetingId: null,
  videoConfig: null,
  streamKey: key1,
  reconnectWindowSeconds: 60,
  limits
}
