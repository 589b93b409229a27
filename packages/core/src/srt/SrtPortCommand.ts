/**
 * Commands to one SRT port: a livestream claims it while it is free, and its holder releases it.
 */
import { Schema } from "effect"
import { LivestreamId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { SrtPortNumber } from "./SrtPortValues.ts"

const subject = { port: SrtPortNumber, livestreamId: LivestreamId, at: Timestamp }

export const SrtPortCommand = Schema.TaggedUnion({
  ClaimSrtPort: subject,
  ReleaseSrtPort: subject
})
export type SrtPortCommand = typeof SrtPortCommand.Type
