/**
 * On PostgreSQL the global log reads below the oldest transaction running on the whole server, which a test
 * beside this one (another database of the same server) may hold open a moment. A test that reads the log
 * from "where it ends now" takes that end from a marker it appended and read back: everything committed
 * before the marker reads by then.
 */
import { EventStore, type Position } from "@onair/core"
import { Effect } from "effect"
import { eventually } from "./Eventually.ts"
import { events, metadata, uniqueStream } from "./Fixtures.ts"
import { readLog } from "./ReadLog.ts"

export const visibleEnd: Effect.Effect<Position, unknown, EventStore> = Effect.gen(function* () {
  const store = yield* EventStore
  const marker = uniqueStream("marker")
  yield* store.append(marker, 0, events("Marker", 1), metadata())
  return yield* eventually(
    "the marker readable",
    Effect.map(readLog, (log) => log.find((event) => event.stream === marker)?.position)
  )
})

/** Waits until the global log reads the append of `transaction` (and so everything committed before it). */
export const untilReadable = (transaction: number) =>
  eventually(
    `transaction ${transaction} readable in the log`,
    Effect.map(readLog, (log) => (log.some((event) => event.position.transaction >= transaction) ? true : undefined))
  )
