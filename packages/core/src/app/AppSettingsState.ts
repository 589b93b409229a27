/**
 * An app's settings, folded from its events: the defaults until it has any.
 */
import { Effect, Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { MeetingUrlTemplate, RetentionDays, SlateImageUrl } from "./AppSettingsValues.ts"

export const AppSettings = Schema.Struct({
  accountId: AccountId,
  appId: AppId,
  recordingRetentionDays: RetentionDays,
  transcribeRecordings: Schema.Boolean,
  /** OnAir's own slate (null) in states stored before the setting. */
  slateImageUrl: SlateImageUrl.pipe(Schema.withDecodingDefaultKey(Effect.succeed(null))),
  /** No template (null) in states stored before the setting. */
  meetingUrlTemplate: MeetingUrlTemplate.pipe(Schema.withDecodingDefaultKey(Effect.succeed(null))),
  updatedAt: Timestamp
})
export type AppSettings = typeof AppSettings.Type

export const AppSettingsState = Schema.NullOr(AppSettings)
export type AppSettingsState = typeof AppSettingsState.Type

/** An app that never changed its settings: recordings kept, not transcribed. */
export const defaultAppSettings = (accountId: AccountId, appId: AppId, at: Timestamp): AppSettings => ({
  accountId,
  appId,
  recordingRetentionDays: null,
  transcribeRecordings: false,
  slateImageUrl: null,
  meetingUrlTemplate: null,
  updatedAt: at
})
