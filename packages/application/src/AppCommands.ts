/**
 * The command path of apps: each app is an aggregate of its own (`app-<account id>.<app id>`), created once.
 */
import {
  type AppendMetadata,
  type AppCommand,
  AppDecider,
  AppEvent,
  appStream,
  type AppState,
  type AppAlreadyExists
} from "@onair/core"
import { Context, Effect, Layer } from "effect"
import * as AggregateCommand from "./AggregateCommand.ts"

export const apps: AggregateCommand.Aggregate<AppCommand, AppEvent, AppState, AppAlreadyExists> = {
  decider: AppDecider,
  events: AppEvent,
  stream: (command) => appStream(command.accountId, command.appId)
}

export class AppCommands extends Context.Service<
  AppCommands,
  {
    readonly handle: (
      command: AppCommand,
      metadata: AppendMetadata
    ) => Effect.Effect<
      AggregateCommand.Decided<AppEvent, AppState>,
      AppAlreadyExists | AggregateCommand.AggregateCommandError
    >
  }
>()("@onair/application/AppCommands") {
  static readonly layer = Layer.effect(
    AppCommands,
    Effect.map(AggregateCommand.handlerFor(apps), (handle) => AppCommands.of({ handle }))
  )
}
