/**
 * The command path of SRT ports: each port of the deployment is an aggregate of its own
 * (`srtPort-<port>`), claimed by one livestream at a time. Appending against the version read makes two
 * livestreams racing for a port see one of them win.
 */
import {
  type SrtPortCommand,
  SrtPortDecider,
  SrtPortEvent,
  srtPortStream,
  type SrtPortState,
  type SrtPortTaken
} from "@onair/core"
import { Context } from "effect"
import * as AggregateCommand from "./AggregateCommand.ts"

export const srtPorts: AggregateCommand.Aggregate<SrtPortCommand, SrtPortEvent, SrtPortState, SrtPortTaken> = {
  decider: SrtPortDecider,
  events: SrtPortEvent,
  stream: (command) => srtPortStream(command.port)
}

export class SrtPortCommands extends Context.Service<
  SrtPortCommands,
  AggregateCommand.CommandPath<SrtPortCommand, SrtPortEvent, SrtPortState, SrtPortTaken>
>()("@onair/application/SrtPortCommands") {
  static readonly layer = AggregateCommand.layerFor(SrtPortCommands, srtPorts)
}
