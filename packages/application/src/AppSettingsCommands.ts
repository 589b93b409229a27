/**
 * The command path of apps' settings: each app's are an aggregate of their own
 * (`appSettings-<account id>.<app id>`), changed by the app's owner.
 */
import {
  type AppendMetadata,
  type AppSettingsCommand,
  AppSettingsDecider,
  AppSettingsEvent,
  appSettingsStream,
  type AppSettingsState,
  type CommandOutOfOrder
} from "@onair/core"
import { Context, Effect, Layer } from "effect"
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
  {
    readonly handle: (
      command: AppSettingsCommand,
      metadata: AppendMetadata
    ) => Effect.Effect<
      AggregateCommand.Decided<AppSettingsEvent, AppSettingsState>,
      CommandOutOfOrder | AggregateCommand.AggregateCommandError
    >
  }
>()("@onair/application/AppSettingsCommands") {
  static readonly layer = Layer.effect(
    AppSettingsCommands,
    Effect.map(AggregateCommand.handlerFor(appSettings), (handle) => AppSettingsCommands.of({ handle }))
  )
}
