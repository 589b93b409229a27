/**
 * Events of a real-time media engine, delivered to OnAir as signed webhooks (seed 004's envelope), as the
 * API hands them over: the webhook adapter verifies and applies them to meetings.
 */
import { type Effect, Context } from "effect"
import type { CommandConflict } from "./CommandConflict.ts"
import type { EventStoreFailed } from "./EventStore.ts"

export type InboundResult =
  | { readonly _tag: "Applied"; readonly duplicate: boolean }
  | { readonly _tag: "Ignored"; readonly type: string }
  | { readonly _tag: "Unauthorized"; readonly reason: string }
  | { readonly _tag: "Invalid"; readonly field: string; readonly message: string }
  | { readonly _tag: "NotFound"; readonly what: string }
  | { readonly _tag: "Refused"; readonly rule: string }

export class InboundEvents extends Context.Service<
  InboundEvents,
  {
    /** False when no shared secret is configured: the endpoint is off. */
    readonly enabled: boolean
    /** Verifies, decodes and applies one request. */
    readonly receive: (
      headers: Readonly<Record<string, string | undefined>>,
      body: string,
      nowMillis: number
    ) => Effect.Effect<InboundResult, EventStoreFailed | CommandConflict>
  }
>()("@onair/core/InboundEvents") {}
