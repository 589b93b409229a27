/**
 * The command path of recordings: each is an aggregate of its own (`recording-<session id>`), decided alone
 * (started and finalised by the control plane as its session starts and ends, completed or failed as its
 * media node reports, deleted by its owner).
 */
import {
  type CommandOutOfOrder,
  type RecordingCommand,
  RecordingDecider,
  type RecordingError,
  RecordingEvent,
  recordingStream,
  type RecordingState
} from "@onair/core"
import { Context } from "effect"
import * as AggregateCommand from "./AggregateCommand.ts"

export const recordings: AggregateCommand.Aggregate<
  RecordingCommand,
  RecordingEvent,
  RecordingState,
  RecordingError | CommandOutOfOrder
> = {
  decider: RecordingDecider,
  events: RecordingEvent,
  stream: (command) => recordingStream(command.recordingId)
}

export class RecordingCommands extends Context.Service<
  RecordingCommands,
  AggregateCommand.CommandPath<RecordingCommand, RecordingEvent, RecordingState, RecordingError | CommandOutOfOrder>
>()("@onair/application/RecordingCommands") {
  static readonly layer = AggregateCommand.layerFor(RecordingCommands, recordings)
}
