/**
 * The receiver kit in one call: a delivery's body and headers verified (Standard Webhooks, one secret or
 * both during a rotation), decoded into a typed event, and judged by a sequencer (apply, duplicate,
 * stale). What to answer OnAir follows: 2xx for anything verified (a duplicate or a stale event is done
 * with, so OnAir must not retry it), 400 for a body that is not an event, 401 for a bad signature.
 */
import { Result } from "effect"
import { type AnyWebhookEvent, decodeEvent } from "./Envelope.ts"
import { makeSequencer, type Sequencer, type Verdict } from "./Sequencer.ts"
import { verify } from "./Signature.ts"

export type Received =
  | { readonly _tag: "Event"; readonly event: AnyWebhookEvent; readonly verdict: Verdict; readonly status: 200 }
  | {
      readonly _tag: "Refused"
      readonly reason: "missing headers" | "stale timestamp" | "bad signature"
      readonly status: 401
    }
  | { readonly _tag: "Malformed"; readonly reason: string; readonly status: 400 }

export interface ReceiverOptions {
  /** The endpoint's secret, or its two secrets while it is rotated. */
  readonly secrets: string | ReadonlyArray<string>
  /** How far a delivery's timestamp may be from now; 300 s unless given. */
  readonly toleranceSeconds?: number
  readonly sequencer?: Sequencer
  /** The clock, in milliseconds (tests give their own). */
  readonly now?: () => number
}

export const makeReceiver = (options: ReceiverOptions) => {
  const sequencer = options.sequencer ?? makeSequencer()
  const now = options.now ?? Date.now
  return {
    sequencer,
    /** Judges one delivery: `body` exactly as received (the signature covers its bytes). */
    receive: (body: string, headers: Readonly<Record<string, string | string[] | undefined>>): Received => {
      const verified = verify(options.secrets, headers, body, Math.floor(now() / 1000), options.toleranceSeconds)
      if (verified._tag === "Refused") return { _tag: "Refused", reason: verified.reason, status: 401 }
      const decoded = decodeEvent(body)
      if (Result.isFailure(decoded)) return { _tag: "Malformed", reason: decoded.failure, status: 400 }
      return { _tag: "Event", event: decoded.success, verdict: sequencer.accept(decoded.success), status: 200 }
    }
  }
}
