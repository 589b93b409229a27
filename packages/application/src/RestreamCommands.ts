/**
 * The command path of restream targets: each is an aggregate of its own (`restreamTarget-<id>`), changed
 * by its owner, started and stopped with its livestream's sessions, and told each relay attempt.
 */
import {
  type CommandOutOfOrder,
  type RestreamCommand,
  RestreamDecider,
  type RestreamError,
  RestreamEvent,
  restreamTargetStream,
  type RestreamState
} from "@onair/core"
import { Context } from "effect"
import * as AggregateCommand from "./AggregateCommand.ts"

export const restreamTargets: AggregateCommand.Aggregate<
  RestreamCommand,
  RestreamEvent,
  RestreamState,
  RestreamError | CommandOutOfOrder
> = {
  decider: RestreamDecider,
  events: RestreamEvent,
  stream: (command) => restreamTargetStream(command.targetId)
}

export class RestreamCommands extends Context.Service<
  RestreamCommands,
  AggregateCommand.CommandPath<RestreamCommand, RestreamEvent, RestreamState, RestreamError | CommandOutOfOrder>
>()("@onair/application/RestreamCommands") {
  static readonly layer = AggregateCommand.layerFor(RestreamCommands, restreamTargets)
}
