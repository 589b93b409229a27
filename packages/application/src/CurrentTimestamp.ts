/** The clock's time now as the core's `Timestamp`: every entry point stamps its signals with it. */
import { Timestamp } from "@onair/core"
import { Clock, Effect } from "effect"

export const currentTimestamp: Effect.Effect<Timestamp> = Effect.map(Clock.currentTimeMillis, (millis) =>
  Timestamp.make(millis)
)
