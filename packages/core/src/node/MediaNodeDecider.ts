/**
 * The media node decider. Every start of the node's agent registers a new boot; a boot is declared lost
 * once at most (the control plane, when it misses its lease), and only while it is the node's current
 * boot. Draining is the operator's and outlives restarts. Registering again with the same boot (an agent
 * retrying a registration whose answer it lost) changes nothing.
 */
import { Result } from "effect"
import type { Decider } from "../Decider.ts"
import { CommandOutOfOrder } from "../DomainError.ts"
import type { MediaNodeCommand } from "./MediaNodeCommand.ts"
import {
  MediaNodeAlreadyLost,
  MediaNodeBootReplaced,
  type MediaNodeError,
  MediaNodeNotFound
} from "./MediaNodeError.ts"
import type { MediaNodeEvent } from "./MediaNodeEvent.ts"
import type { MediaNodeState } from "./MediaNodeState.ts"

type Events = Result.Result<ReadonlyArray<MediaNodeEvent>, MediaNodeError | CommandOutOfOrder>

export const decide = (command: MediaNodeCommand, state: MediaNodeState): Events => {
  const subject = { nodeId: command.nodeId, at: command.at }
  if (command._tag === "RegisterMediaNode") {
    if (state !== null && state.bootId === command.bootId && state.lostAt === null) return Result.succeed([])
    return Result.succeed([
      {
        ...command,
        _tag: "MediaNodeRegistered",
        replacedBootId: state === null || state.lostAt !== null ? null : state.bootId
      }
    ])
  }
  if (state === null) return Result.fail(new MediaNodeNotFound({ nodeId: command.nodeId }))
  if (command.at < state.updatedAt) {
    return Result.fail(
      new CommandOutOfOrder({ aggregate: "mediaNode", id: state.id, at: command.at, lastChangedAt: state.updatedAt })
    )
  }
  switch (command._tag) {
    case "DrainMediaNode":
      return Result.succeed(state.draining ? [] : [{ _tag: "MediaNodeDrained", ...subject }])
    case "ResumeMediaNode":
      return Result.succeed(state.draining ? [{ _tag: "MediaNodeResumed", ...subject }] : [])
    case "DeclareMediaNodeLost":
      if (state.bootId !== command.bootId) {
        return Result.fail(new MediaNodeBootReplaced({ nodeId: command.nodeId, bootId: command.bootId }))
      }
      if (state.lostAt !== null) return Result.fail(new MediaNodeAlreadyLost({ nodeId: command.nodeId }))
      return Result.succeed([{ _tag: "MediaNodeLost", ...subject, bootId: command.bootId }])
  }
}

export const evolve = (state: MediaNodeState, event: MediaNodeEvent): MediaNodeState => {
  if (event._tag === "MediaNodeRegistered") {
    return {
      id: event.nodeId,
      bootId: event.bootId,
      addresses: event.addresses,
      capacity: event.capacity,
      region: event.region,
      draining: state?.draining ?? false,
      lostAt: null,
      registeredAt: event.at,
      updatedAt: event.at
    }
  }
  if (state === null) return state
  switch (event._tag) {
    case "MediaNodeDrained":
      return { ...state, draining: true, updatedAt: event.at }
    case "MediaNodeResumed":
      return { ...state, draining: false, updatedAt: event.at }
    case "MediaNodeLost":
      return { ...state, lostAt: event.at, updatedAt: event.at }
  }
}

export const MediaNodeDecider: Decider<
  MediaNodeCommand,
  MediaNodeEvent,
  MediaNodeState,
  MediaNodeError | CommandOutOfOrder
> = {
  initialState: null,
  decide,
  evolve
}
