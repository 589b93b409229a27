/**
 * Commands to an app's settings: changed by its owner, a field at a time or several at once.
 */
import { Schema } from "effect"
import { AppSettingsChange } from "./AppSettingsValues.ts"

export const AppSettingsCommand = Schema.TaggedUnion({
  ChangeAppSettings: AppSettingsChange
})
export type AppSettingsCommand = typeof AppSettingsCommand.Type
