/**
 * Events of an app's settings stream (`appSettings-<account id>.<app id>`).
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { RetentionDays } from "./AppSettingsValues.ts"

export const AppSettingsEvent = Schema.TaggedUnion({
  /** What changed; a field left out is as it was. */
  AppSettingsChanged: {
    accountId: AccountId,
    appId: AppId,
    at: Timestamp,
    recordingRetentionDays: Schema.optionalKey(RetentionDays),
    transcribeRecordings: Schema.optionalKey(Schema.Boolean)
  }
})
export type AppSettingsEvent = typeof AppSettingsEvent.Type

export const APP_SETTINGS_CATEGORY = "appSettings"

export const appSettingsStream = (accountId: string, appId: string): string => `${APP_SETTINGS_CATEGORY}-${accountId}.${appId}`
