/**
 * Value types of a restream target: where a livestream's broadcast is sent on (another platform's RTMP or
 * RTMPS ingest), with what key, and why its relay stops or fails.
 */
import { Schema } from "effect"
import { AccountId, AppId, LivestreamId } from "../Ids.ts"

/** `rs_` and 24 letters or digits. */
export const RestreamTargetId = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^rs_[A-Za-z0-9]{24}$/)),
  Schema.brand("RestreamTargetId")
)
export type RestreamTargetId = typeof RestreamTargetId.Type

/** An absolute rtmp(s) URL: a host (name, IPv4 or [IPv6]), maybe a port, a path; no credentials, no spaces. */
const RTMP_URL = /^rtmps?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\/[^\s?#]*)?$/

/** Where the relay publishes: `rtmp://` or `rtmps://`, up to 2,048 characters. */
export const RestreamUrl = Schema.String.pipe(Schema.check(Schema.isMaxLength(2048), Schema.isPattern(RTMP_URL)))

/** The target platform's stream key: printable, no spaces, up to 512 characters. Sealed at rest. */
export const RestreamStreamKey = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^[\x21-\x7e]{1,512}$/)),
  Schema.brand("RestreamStreamKey")
)
export type RestreamStreamKey = typeof RestreamStreamKey.Type

// biome-ignore lint/suspicious/noControlCharactersInRegex: a name refuses control characters, so the pattern names them
export const RestreamName = Schema.String.pipe(Schema.check(Schema.isPattern(/^[^\x00-\x1f\x7f]{1,64}$/)))

/** Why one attempt of a relay failed, or why it gave up. */
export const RelayFailure = Schema.Literals([
  "refused by the target",
  "unreachable",
  "timed out",
  "TLS error",
  /** Its host resolves to an address OnAir may not send to (checked again before each attempt). */
  "address refused",
  "relay failed"
])
export type RelayFailure = typeof RelayFailure.Type

/** Why a relay stopped. */
export const RelayStopReason = Schema.Literals(["session ended", "stopped by the owner", "target deleted"])
export type RelayStopReason = typeof RelayStopReason.Type

/** Whose target it is: a livestream of an account's app. */
export const TargetOwner = { livestreamId: LivestreamId, accountId: AccountId, appId: AppId }

/** What its owner sets (`verifyTls` beside, as each schema defaults it). */
export const TargetSettings = {
  url: RestreamUrl,
  streamKey: RestreamStreamKey,
  name: RestreamName,
  enabled: Schema.Boolean
}

/** A change of the settings: the fields that change. */
export const TargetChanges = {
  url: Schema.optionalKey(RestreamUrl),
  streamKey: Schema.optionalKey(RestreamStreamKey),
  name: Schema.optionalKey(RestreamName),
  enabled: Schema.optionalKey(Schema.Boolean),
  verifyTls: Schema.optionalKey(Schema.Boolean)
}

/** A livestream has at most this many targets. */
export const MAX_RESTREAM_TARGETS = 10

/** The pause before retry `attempt` (the first retry is attempt 2): 1 s, 2 s, 4 s … at most 30 s. */
export const relayBackoffMillis = (attempt: number): number => Math.min(1000 * 2 ** Math.max(0, attempt - 2), 30_000)
