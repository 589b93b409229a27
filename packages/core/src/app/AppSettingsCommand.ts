/**
 * Commands to an app's settings: changed by its owner, a field at a time or several at once.
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { RetentionDays } from "./AppSettingsValues.ts"

export const AppSettingsCommand = Schema.TaggedUnion({
  ChangeAppSettings: {
    accountId: AccountId,
    appId: AppId,
    at: Timestamp,
    recordingRetentionDays: Schema.optionalKey(RetentionDays),
    transcribeRecordings: Schema.optionalKey(Schema.Boolean)
  }
})
export type AppSettingsCommand = typeof AppSettingsCommand.Type
