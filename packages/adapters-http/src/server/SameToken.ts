/**
 * Whether a presented token is the configured one, compared as SHA-256 digests: equal lengths and constant
 * time whatever was sent, so neither the length nor the first difference leaks.
 */
import { Redacted } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"

const digest = (text: string) => createHash("sha256").update(text).digest()

export const sameToken = (given: string, expected: Redacted.Redacted): boolean =>
  timingSafeEqual(digest(given), digest(Redacted.value(expected)))
