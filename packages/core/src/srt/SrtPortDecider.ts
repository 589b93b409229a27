/**
 * The SRT port decider: a port is claimed by one livestream at a time. A claim of a free port records
 * its holder, a claim by its holder again changes nothing, and a claim of a held port is refused. Only
 * its holder releases it. The state is the holder alone, so a port's stream stays cheap to fold.
 */
import { Result, Schema } from "effect"
import type { Decider } from "../Decider.ts"
import { LivestreamId } from "../Ids.ts"
import type { SrtPortCommand } from "./SrtPortCommand.ts"
import type { SrtPortEvent } from "./SrtPortEvent.ts"
import { SrtPortNumber } from "./SrtPortValues.ts"

/** The port is held by another livestream. */
export class SrtPortTaken extends Schema.TaggedError<SrtPortTaken>()("SrtPortTaken", {
  port: SrtPortNumber,
  holder: LivestreamId
}) {}

/** Who holds the port now; null when it is free (or was never claimed). */
export type SrtPortState = { readonly holder: LivestreamId | null } | null

export const decide = (
  command: SrtPortCommand,
  state: SrtPortState
): Result.Result<ReadonlyArray<SrtPortEvent>, SrtPortTaken> => {
  const holder = state?.holder ?? null
  const { port, livestreamId, at } = command
  switch (command._tag) {
    case "ClaimSrtPort":
      if (holder === livestreamId) return Result.succeed([])
      if (holder !== null) return Result.fail(new SrtPortTaken({ port, holder }))
      return Result.succeed([{ _tag: "SrtPortClaimed", port, livestreamId, at }])
    case "ReleaseSrtPort":
      return Result.succeed(holder === livestreamId ? [{ _tag: "SrtPortReleased", port, livestreamId, at }] : [])
  }
}

export const evolve = (_state: SrtPortState, event: SrtPortEvent): SrtPortState => ({
  holder: event._tag === "SrtPortClaimed" ? event.livestreamId : null
})

export const SrtPortDecider: Decider<SrtPortCommand, SrtPortEvent, SrtPortState, SrtPortTaken> = {
  initialState: null,
  decide,
  evolve
}
