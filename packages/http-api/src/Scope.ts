/**
 * The path every endpoint of the seeds lives under, and its parameters.
 */
import { AccountId, AppId } from "@onair/core"
import { Schema } from "effect"

export const BASE = "/accounts/:account_id/realtime/kit/:app_id"

export const ScopeParams = { account_id: AccountId, app_id: AppId }

/** `Idempotency-Key`: 1–255 visible ASCII characters (creates and starts). */
export const IdempotencyKey = Schema.String.pipe(Schema.check(Schema.isPattern(/^[\x21-\x7e]{1,255}$/)))

export const IdempotencyHeaders = { "idempotency-key": Schema.optional(IdempotencyKey) }
