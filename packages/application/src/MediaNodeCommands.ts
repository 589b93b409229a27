/**
 * The command path of media nodes: each node is an aggregate of its own (`mediaNode-<id>`), decided alone
 * (registrations by the node's agent, drains by the operator, losses by the control plane's lease watch).
 */
import {
  type CommandOutOfOrder,
  type MediaNodeCommand,
  MediaNodeDecider,
  type MediaNodeError,
  MediaNodeEvent,
  mediaNodeStream,
  type MediaNodeState
} from "@onair/core"
import { Context } from "effect"
import * as AggregateCommand from "./AggregateCommand.ts"

export const mediaNodes: AggregateCommand.Aggregate<
  MediaNodeCommand,
  MediaNodeEvent,
  MediaNodeState,
  MediaNodeError | CommandOutOfOrder
> = {
  decider: MediaNodeDecider,
  events: MediaNodeEvent,
  stream: (command) => mediaNodeStream(command.nodeId)
}

export class MediaNodeCommands extends Context.Service<
  MediaNodeCommands,
  AggregateCommand.CommandPath<MediaNodeCommand, MediaNodeEvent, MediaNodeState, MediaNodeError | CommandOutOfOrder>
>()("@onair/application/MediaNodeCommands") {
  static readonly layer = AggregateCommand.layerFor(MediaNodeCommands, mediaNodes)
}
