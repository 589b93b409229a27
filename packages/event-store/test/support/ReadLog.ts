/** The whole global log, read page by page from the start, as a subscription would. */
import { EventStore, LOG_START, type Position, type StoredEvent } from "@onair/core"
import { Effect } from "effect"

export const readLog = Effect.gen(function* () {
  const store = yield* EventStore
  const all: Array<StoredEvent> = []
  let from: Position = LOG_START
  for (;;) {
    const batch = yield* store.readAll(from, 1000)
    if (batch.events.length === 0) return all
    all.push(...batch.events)
    from = batch.next
  }
})
