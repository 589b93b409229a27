/**
 * The one comparison of a secret someone presented with the expected one: tokens, credentials, signatures,
 * one-time push tokens. Both are hashed (SHA-256) and the digests compared with `timingSafeEqual`, so
 * neither the time taken nor a length check tells anything of the expected value, its length included.
 * (The webhook receiver kit, installed alone by other teams, keeps its own.) A package of its own, so that
 * a media node compares secrets without importing any of the control plane.
 */
import { createHash, timingSafeEqual } from "node:crypto"

const digest = (value: string | Uint8Array) => createHash("sha256").update(value).digest()

/** Whether `given` is `expected`, in time that depends on neither. */
export const sameSecret = (given: string | Uint8Array, expected: string | Uint8Array): boolean =>
  timingSafeEqual(digest(given), digest(expected))
