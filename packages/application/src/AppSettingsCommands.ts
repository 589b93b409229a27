/**
 * The command path of apps' settings: each app's are an aggregate of their own
 * (`appSettings-<account id>.<app id>`), changed by the app's owner.
 */
import {
  type AppSettingsCommand,
  AppSettingsDecider,
  AppSettingsEvent,
  appSettingsStream,
  type AppSettingsState,
  type CommandOutOfOrder
} from "@onair/core"
import { Context } from "effect"
import * as AggregateCommand from "./AggregateCommand.ts"

export const appSettings: AggregateCommand.Aggregate<
  AppSettingsCommand,
  AppSettingsEvent,
  AppSettingsState,
  CommandOutOfOrder
> = {
  decider: AppSettingsDecider,
  events: AppSettingsEvent,
  stream: (command) => appSettingsStream(command.accountId, command.appId)
}

export class AppSettingsCommands extends Context.Service<
  AppSettingsCommands,
  AggregateCommand.CommandPath<AppSettingsCommand, AppSettingsEvent, AppSettingsState, CommandOutOfOrder>
>()("@onair/application/AppSettingsCommands") {
  static readonly layer = AggregateCommand.layerFor(AppSettingsCommands, appSettings)
}
