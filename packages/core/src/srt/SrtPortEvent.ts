/**
 * Events of one SRT port's stream (`srtPort-<port>`).
 */
import { Schema } from "effect"
import { LivestreamId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { SrtPortNumber } from "./SrtPortValues.ts"

const subject = { port: SrtPortNumber, livestreamId: LivestreamId, at: Timestamp }

export const SrtPortEvent = Schema.TaggedUnion({
  SrtPortClaimed: subject,
  SrtPortReleased: subject
})
export type SrtPortEvent = typeof SrtPortEvent.Type
