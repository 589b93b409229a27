/**
 * Events of an app's stream (`app-<account id>.<app id>`).
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { AppName, AppOrigin } from "./AppValues.ts"

export const AppEvent = Schema.TaggedUnion({
  AppCreated: { accountId: AccountId, appId: AppId, name: AppName, origin: AppOrigin, at: Timestamp }
})
export type AppEvent = typeof AppEvent.Type

export const APP_CATEGORY = "app"

export const appStream = (accountId: string, appId: string): string => `${APP_CATEGORY}-${accountId}.${appId}`
