/**
 * Which livestream a stream key belongs to: an in-memory projection of the livestream events, read from
 * the start of the log and brought up to date before each lookup (`StreamKeys.inMemory`; it grows with the
 * number of livestreams, so deployments answer from the catalog's table instead). A key that was rotated away
 * finds nothing, unless the rotation gave it grace: then it finds its livestream until the next rotation (the
 * livestream says whether its grace is over); a deleted livestream's keys find nothing. Keys are held and looked up by a keyed hash (under the deployment
 * key), never in clear.
 *
 * The index only says which livestream to read; the decision is made on that livestream's own stream,
 * appended against its version, so an index that lags a concurrent rotation cannot let a stale key in.
 */
import {
  AggregateReadFailed,
  EventStore,
  type LivestreamId,
  LOG_START,
  type Position,
  type StoredEvent,
  type StreamKey
} from "@onair/core"
import { Effect, Semaphore } from "effect"
import { DomainEvents, SecretKeyring, Subscription } from "@onair/event-store"

interface KeyEventData {
  readonly livestreamId?: unknown
  readonly streamKey?: unknown
  readonly previousKeyExpiresAt?: unknown
}

/**
 * What a stored event does to a livestream's keys: gives it one (created, rotated; `keepsPrevious` when the
 * rotation left the key it replaced publishing for a while), takes them away (deleted: `key` null), or
 * nothing (undefined).
 */
export const keyChange = (
  event: StoredEvent
):
  | { readonly livestreamId: LivestreamId; readonly key: string | null; readonly keepsPrevious: boolean }
  | undefined => {
  if (DomainEvents.parseStream(event.stream)?.kind !== "livestream") return undefined
  const data = event.data as KeyEventData
  const livestreamId = data.livestreamId as LivestreamId
  switch (event.type) {
    case "LivestreamCreated":
    case "StreamKeyRotated":
      return typeof data.streamKey === "string"
        ? { livestreamId, key: data.streamKey, keepsPrevious: typeof data.previousKeyExpiresAt === "number" }
        : undefined
    case "LivestreamDeleted":
      return { livestreamId, key: null, keepsPrevious: false }
    default:
      return undefined
  }
}

export const make = Effect.gen(function* () {
  const store = yield* EventStore
  const keyring = yield* SecretKeyring
  const digest = (key: string) => keyring.digest("stream key", key)
  const byKey = new Map<string, LivestreamId>()
  /** Each livestream's current key and the one its last rotation kept publishing (hashed). */
  const keysOf = new Map<LivestreamId, { readonly current: string; readonly previous: string | null }>()
  let position: Position = LOG_START
  const lock = yield* Semaphore.make(1)

  const apply = (event: StoredEvent) => {
    const change = keyChange(event)
    if (change === undefined) return
    const id = change.livestreamId
    const old = keysOf.get(id)
    if (old?.previous != null) byKey.delete(old.previous)
    const kept = change.keepsPrevious && old !== undefined ? old.current : null
    if (old !== undefined && kept === null) byKey.delete(old.current)
    keysOf.delete(id)
    if (change.key !== null) {
      const hashed = digest(change.key)
      byKey.set(hashed, id)
      keysOf.set(id, { current: hashed, previous: kept })
    }
  }

  // Suspended so that each catch-up starts from the position the last one reached.
  const catchUp = lock.withPermits(1)(
    Effect.suspend(() =>
      Subscription.drain(
        position,
        (events) => Effect.sync(() => events.forEach(apply)),
        (next) =>
          Effect.sync(() => {
            position = next
          }),
        { category: "livestream" }
      ).pipe(Effect.provideService(EventStore, store))
    )
  )

  /** The livestream whose key this is (or was, within a rotation's grace), as of everything committed before the call. */
  const lookup = (key: StreamKey): Effect.Effect<LivestreamId | null, AggregateReadFailed> =>
    catchUp.pipe(
      Effect.mapError((error) => new AggregateReadFailed({ stream: "stream-key-index", message: error.message })),
      Effect.map(() => byKey.get(digest(key)) ?? null)
    )

  return { lookup }
})
