/**
 * Branded identifiers. Every id that crosses an aggregate boundary has its own brand, so a session id can
 * never be passed where a livestream id is expected.
 */
import { Schema } from "effect"

/** Account ids are opaque to OnAir (the seeds use 32 hex characters); bounded so they fit any store key. */
export const AccountId = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^[A-Za-z0-9_-]{1,64}$/)),
  Schema.brand("AccountId")
)
export type AccountId = typeof AccountId.Type

export const AppId = Schema.String.pipe(Schema.check(Schema.isPattern(/^[A-Za-z0-9_-]{1,64}$/)), Schema.brand("AppId"))
export type AppId = typeof AppId.Type

/** The seeds document livestream, session and meeting ids as uuids. */
export const LivestreamId = Schema.String.pipe(Schema.check(Schema.isUUID()), Schema.brand("LivestreamId"))
export type LivestreamId = typeof LivestreamId.Type

export const SessionId = Schema.String.pipe(Schema.check(Schema.isUUID()), Schema.brand("SessionId"))
export type SessionId = typeof SessionId.Type

export const MeetingId = Schema.String.pipe(Schema.check(Schema.isUUID()), Schema.brand("MeetingId"))
export type MeetingId = typeof MeetingId.Type

/** One encoder connection as the media server names it (for nginx-rtmp: its pid and client id). */
export const IngestId = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^[A-Za-z0-9_.:-]{1,128}$/)),
  Schema.brand("IngestId")
)
export type IngestId = typeof IngestId.Type

/** A session of a meeting as the real-time media engine names it (webhook seed: `session_id`). */
export const MeetingSessionId = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^[A-Za-z0-9_.:-]{1,128}$/)),
  Schema.brand("MeetingSessionId")
)
export type MeetingSessionId = typeof MeetingSessionId.Type

/** A participant of a meeting (webhook seed: `peer_id`). */
export const ParticipantId = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^[A-Za-z0-9_.:-]{1,128}$/)),
  Schema.brand("ParticipantId")
)
export type ParticipantId = typeof ParticipantId.Type

/**
 * The secret an encoder publishes with. URL-safe so it can stand as the last path segment of an RTMP URL;
 * long enough that guessing one is hopeless.
 */
export const StreamKey = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^[A-Za-z0-9_-]{32,128}$/)),
  Schema.brand("StreamKey")
)
export type StreamKey = typeof StreamKey.Type

/**
 * A media node (one nginx-rtmp server and its agent), named by its operator: a DNS label, so it can stand
 * in host names, and no dot, so it is the unambiguous first part of the ingest ids the node's publishes get.
 */
export const MediaNodeId = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/)),
  Schema.brand("MediaNodeId")
)
export type MediaNodeId = typeof MediaNodeId.Type
