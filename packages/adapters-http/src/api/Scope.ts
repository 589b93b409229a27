/**
 * The path every endpoint of the seeds lives under, and its parameters.
 */
import { AccountId, AppId } from "@onair/core"

export const BASE = "/accounts/:account_id/realtime/kit/:app_id"

export const ScopeParams = { account_id: AccountId, app_id: AppId }
