/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` (Unix
 * seconds) and `webhook-signature`, which is `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under
 * the secret's key (the base64 after `whsec_`). Several signatures are separated by spaces: during a
 * secret rotation both secrets sign, and a receiver accepts either.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"

// A type, not an interface: it passes where a record of headers is asked for.
export type SignedHeaders = {
  readonly "webhook-id": string
  readonly "webhook-timestamp": string
  readonly "webhook-signature": string
}

const keyOf = (secret: string): Buffer => Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64")

const sign1 = (secret: string, id: string, timestamp: number, body: string): string =>
  `v1,${createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest("base64")}`

/** The headers for `body` sent as message `id` at `timestamp` (seconds), signed by every secret given. */
export const sign = (secrets: ReadonlyArray<string>, id: string, timestamp: number, body: string): SignedHeaders => ({
  "webhook-id": id,
  "webhook-timestamp": String(timestamp),
  "webhook-signature": secrets.map((secret) => sign1(secret, id, timestamp, body)).join(" ")
})

/** A new secret: `whsec_` and 32 random bytes in base64. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString("base64")}`

/** A header as Node gives it (a repeated one as an array: the first counts), by its lower-case name. */
const header = (headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

export type Verification =
  | { readonly _tag: "Verified"; readonly id: string; readonly timestamp: number }
  | { readonly _tag: "Refused"; readonly reason: "missing headers" | "stale timestamp" | "bad signature" }

/**
 * Checks a request's Standard Webhooks headers against the endpoint's secret, or its secrets while one
 * is rotated (either passes): its timestamp within `toleranceSeconds` of `nowSeconds` (a replayed old
 * request is refused), and one of its signatures correct under one of the secrets.
 */
export const verify = (
  secrets: string | ReadonlyArray<string>,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300
): Verification => {
  const id = header(headers, "webhook-id")
  const timestamp = Number(header(headers, "webhook-timestamp"))
  const signatures = header(headers, "webhook-signature")
  if (id === undefined || id === "" || !Number.isInteger(timestamp) || signatures === undefined) {
    return { _tag: "Refused", reason: "missing headers" }
  }
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { _tag: "Refused", reason: "stale timestamp" }
  // Compared in constant time here rather than with OnAir's own `sameSecret`: this kit is installed alone.
  const given = signatures.split(" ").map((signature) => Buffer.from(signature))
  const matches = (typeof secrets === "string" ? [secrets] : secrets).some((secret) => {
    const expected = Buffer.from(sign1(secret, id, timestamp, body))
    return given.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))
  })
  return matches ? { _tag: "Verified", id, timestamp } : { _tag: "Refused", reason: "bad signature" }
}
