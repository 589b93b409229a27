/**
 * The command path of apps: each app is an aggregate of its own (`app-<account id>.<app id>`), created once.
 */
import { type AppCommand, AppDecider, AppEvent, appStream, type AppState, type AppAlreadyExists } from "@onair/core"
import { Context } from "effect"
import * as AggregateCommand from "./AggregateCommand.ts"

export const apps: AggregateCommand.Aggregate<AppCommand, AppEvent, AppState, AppAlreadyExists> = {
  decider: AppDecider,
  events: AppEvent,
  stream: (command) => appStream(command.accountId, command.appId)
}

export class AppCommands extends Context.Service<
  AppCommands,
  AggregateCommand.CommandPath<AppCommand, AppEvent, AppState, AppAlreadyExists>
>()("@onair/application/AppCommands") {
  static readonly layer = AggregateCommand.layerFor(AppCommands, apps)
}
