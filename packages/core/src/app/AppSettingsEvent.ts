/**
 * Events of an app's settings stream (`appSettings-<account id>.<app id>`).
 */
import { Schema } from "effect"
import { AppSettingsChange } from "./AppSettingsValues.ts"

export const AppSettingsEvent = Schema.TaggedUnion({
  /** What changed; a field left out is as it was. */
  AppSettingsChanged: AppSettingsChange
})
export type AppSettingsEvent = typeof AppSettingsEvent.Type

export const APP_SETTINGS_CATEGORY = "appSettings"

export const appSettingsStream = (accountId: string, appId: string): string =>
  `${APP_SETTINGS_CATEGORY}-${accountId}.${appId}`
