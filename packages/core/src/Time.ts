/**
 * Time in the core is data: every command carries the instant it happened at, as epoch milliseconds. The
 * core never reads a clock; the adapters and the simulation decide what "now" is.
 */
import { Schema } from "effect"

export const Timestamp = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)), Schema.brand("Timestamp"))
export type Timestamp = typeof Timestamp.Type

/** A whole number of seconds that is zero or more. */
export const Seconds = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))

export const addSeconds = (at: Timestamp, seconds: number): Timestamp => (at + seconds * 1000) as Timestamp

/** ISO-8601 with milliseconds in UTC, the format of every timestamp in the livestreams seed. */
export const toIso = (at: Timestamp): string => new Date(at).toISOString()

/** Epoch seconds as a double, the format of seed 000's `startTime`/`endTime`. */
export const toEpochSeconds = (at: Timestamp): number => at / 1000
