/**
 * The app settings decider: a change records the fields that differ from the current settings, and
 * nothing when none does.
 */
import { Result } from "effect"
import type { Decider } from "../Decider.ts"
import { CommandOutOfOrder } from "../DomainError.ts"
import type { AppSettingsCommand } from "./AppSettingsCommand.ts"
import type { AppSettingsEvent } from "./AppSettingsEvent.ts"
import { defaultAppSettings, type AppSettingsState } from "./AppSettingsState.ts"

export const decide = (
  command: AppSettingsCommand,
  state: AppSettingsState
): Result.Result<ReadonlyArray<AppSettingsEvent>, CommandOutOfOrder> => {
  if (state !== null && command.at < state.updatedAt) {
    return Result.fail(
      new CommandOutOfOrder({
        aggregate: "appSettings",
        id: `${state.accountId}.${state.appId}`,
        at: command.at,
        lastChangedAt: state.updatedAt
      })
    )
  }
  const current = state ?? defaultAppSettings(command.accountId, command.appId, command.at)
  const retention =
    command.recordingRetentionDays !== undefined && command.recordingRetentionDays !== current.recordingRetentionDays
      ? { recordingRetentionDays: command.recordingRetentionDays }
      : {}
  const transcribe =
    command.transcribeRecordings !== undefined && command.transcribeRecordings !== current.transcribeRecordings
      ? { transcribeRecordings: command.transcribeRecordings }
      : {}
  const slate =
    command.slateImageUrl !== undefined && command.slateImageUrl !== current.slateImageUrl
      ? { slateImageUrl: command.slateImageUrl }
      : {}
  const meetingUrl =
    command.meetingUrlTemplate !== undefined && command.meetingUrlTemplate !== current.meetingUrlTemplate
      ? { meetingUrlTemplate: command.meetingUrlTemplate }
      : {}
  if (Object.keys({ ...retention, ...transcribe, ...slate, ...meetingUrl }).length === 0) return Result.succeed([])
  return Result.succeed([
    {
      _tag: "AppSettingsChanged",
      accountId: command.accountId,
      appId: command.appId,
      at: command.at,
      ...retention,
      ...transcribe,
      ...slate,
      ...meetingUrl
    }
  ])
}

export const evolve = (state: AppSettingsState, event: AppSettingsEvent): AppSettingsState => {
  const current = state ?? defaultAppSettings(event.accountId, event.appId, event.at)
  return {
    ...current,
    ...(event.recordingRetentionDays === undefined ? {} : { recordingRetentionDays: event.recordingRetentionDays }),
    ...(event.transcribeRecordings === undefined ? {} : { transcribeRecordings: event.transcribeRecordings }),
    ...(event.slateImageUrl === undefined ? {} : { slateImageUrl: event.slateImageUrl }),
    ...(event.meetingUrlTemplate === undefined ? {} : { meetingUrlTemplate: event.meetingUrlTemplate }),
    updatedAt: event.at
  }
}

export const AppSettingsDecider: Decider<AppSettingsCommand, AppSettingsEvent, AppSettingsState, CommandOutOfOrder> = {
  initialState: null,
  decide,
  evolve
}
