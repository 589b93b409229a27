/**
 * A livestream's restream targets (OnAir's resource): up to 10 other platforms its broadcasts are sent on
 * to, each with its relay's status. A target's stream key is write-only: responses show its last 4
 * characters.
 */
import { LivestreamId, RestreamName, RestreamStreamKey, RestreamTargetId, RestreamUrl } from "@onair/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { BadRequest, Conflict, NotFound, Ok } from "./Envelope.ts"
import { BASE, ScopeParams } from "./Scope.ts"
import { Authorization } from "./Security.ts"

export const RestreamRecord = Schema.Struct({
  id: Schema.String,
  livestream_id: Schema.String,
  name: Schema.String,
  url: Schema.String,
  /** The stream key's last 4 characters; the key itself is never shown again. */
  stream_key_last4: Schema.String,
  enabled: Schema.Boolean,
  /** Whether an `rtmps://` target's certificate must verify against the system's CAs (default true). */
  verify_tls: Schema.Boolean,
  /** The relay: idle until a session starts it; connecting, live, retrying, failed or stopped. */
  status: Schema.Literals(["idle", "connecting", "live", "retrying", "failed", "stopped"]),
  /** The session it relays (or relayed last). */
  session_id: Schema.NullOr(Schema.String),
  /** The attempt in progress or due (1 for the first). */
  attempt: Schema.NullOr(Schema.Int),
  /** When a retrying relay tries again. */
  retry_at: Schema.NullOr(Schema.String),
  /** Why it stopped or failed. */
  reason: Schema.NullOr(Schema.String),
  last_error: Schema.NullOr(Schema.Struct({ reason: Schema.String, at: Schema.String })),
  /** When this session's relay first reached the target. */
  live_since: Schema.NullOr(Schema.String),
  /** Seconds since then while it is live; null otherwise. */
  uptime_seconds: Schema.NullOr(Schema.Int),
  /** The relay's latest progress as its node sampled it (this session's): bytes sent, bitrate, frames, speed. */
  progress: Schema.NullOr(
    Schema.Struct({
      bytes: Schema.Number,
      bitrate_kbps: Schema.Number,
      frames: Schema.Number,
      speed: Schema.Number,
      sampled_at: Schema.String
    })
  ),
  created_at: Schema.String,
  updated_at: Schema.String
})

export const CreateRestreamBody = Schema.Struct({
  url: RestreamUrl,
  stream_key: RestreamStreamKey,
  name: Schema.optional(RestreamName),
  enabled: Schema.optional(Schema.Boolean),
  verify_tls: Schema.optional(Schema.Boolean)
})

export const UpdateRestreamBody = Schema.Struct({
  url: Schema.optional(RestreamUrl),
  stream_key: Schema.optional(RestreamStreamKey),
  name: Schema.optional(RestreamName),
  enabled: Schema.optional(Schema.Boolean),
  verify_tls: Schema.optional(Schema.Boolean)
})

const LivestreamParams = { ...ScopeParams, livestream_id: LivestreamId }
const TargetParams = { ...LivestreamParams, restream_id: RestreamTargetId }

export class RestreamsApi extends HttpApiGroup.make("restreams")
  .add(
    HttpApiEndpoint.get("getRestreams", `${BASE}/livestreams/:livestream_id/restreams`, {
      params: LivestreamParams,
      success: Ok(Schema.Struct({ restreams: Schema.Array(RestreamRecord) })),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.post("createRestream", `${BASE}/livestreams/:livestream_id/restreams`, {
      params: LivestreamParams,
      payload: CreateRestreamBody,
      success: Ok(RestreamRecord).pipe(HttpApiSchema.status(201)),
      error: [BadRequest, NotFound, Conflict]
    }),
    HttpApiEndpoint.get("getRestream", `${BASE}/livestreams/:livestream_id/restreams/:restream_id`, {
      params: TargetParams,
      success: Ok(RestreamRecord),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.patch("updateRestream", `${BASE}/livestreams/:livestream_id/restreams/:restream_id`, {
      params: TargetParams,
      payload: UpdateRestreamBody,
      success: Ok(RestreamRecord),
      error: [BadRequest, NotFound, Conflict]
    }),
    HttpApiEndpoint.delete("deleteRestream", `${BASE}/livestreams/:livestream_id/restreams/:restream_id`, {
      params: TargetParams,
      success: Ok(Schema.Struct({ message: Schema.String })),
      error: [BadRequest, NotFound, Conflict]
    })
  )
  .middleware(Authorization)
  .annotateMerge(
    OpenApi.annotations({
      title: "Restreams",
      description: "A livestream's restream targets (RTMP/RTMPS), each relayed while the livestream is live."
    })
  ) {}
