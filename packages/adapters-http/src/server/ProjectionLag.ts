/**
 * How far a consumer of the log (a projection, the webhook outbox) is behind: the age of the oldest event
 * it has not taken in yet, 0 when it has taken in everything. One read of its checkpoint and one of the
 * event after it, whatever the length of the log.
 */
import { EventStore } from "@onair/core"
import { Clock, Effect } from "effect"

export const lagSeconds = (consumer: string) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const checkpoint = yield* store.loadCheckpoint(consumer)
    const behind = yield* store.readAll(checkpoint, 1)
    const oldest = behind.events[0]
    return oldest === undefined ? 0 : Math.max(0, ((yield* Clock.currentTimeMillis) - oldest.recordedAt) / 1000)
  })
