/**
 * The control plane's watch on media nodes' leases: a node whose boot misses its lease is declared lost
 * (an event in the log), every connection of that boot ends with `internal error`, so no broadcast stays
 * live on a node that is gone, and every recording it was writing fails (`media node lost`). Runs in every process that runs timers; a lease that runs out is claimed by
 * one of them (`MediaNodeRegistry.claimExpired`), and taken over if that one dies before it is settled.
 */
import { awaitReadModel, currentTimestamp, MediaNodeCommands } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import { originMetadata } from "@onair/core"
import { Duration, Effect } from "effect"
import { NodeControl } from "./NodeControl.ts"

/** How often leases are looked at. */
export const WATCH_MILLIS = 250
/** How long a claimed lease is one process's to settle. */
const CLAIM_MILLIS = 30_000

export const LOST_MESSAGE = "media node lost"

/** Settles every lease run out now; how many. */
export const settleExpired = Effect.gen(function* () {
  const registry = yield* MediaNodeRegistry
  const nodes = yield* MediaNodeCommands
  const control = yield* NodeControl
  const catalog = yield* CatalogReads
  const at = yield* currentTimestamp
  const expired = yield* registry.claimExpired(at, CLAIM_MILLIS)
  for (const lease of expired) {
    yield* nodes
      .handle(
        { _tag: "DeclareMediaNodeLost", nodeId: lease.nodeId, at, bootId: lease.bootId },
        originMetadata(`media-node:${lease.nodeId}:${lease.bootId}:lost`, "system:media-nodes", at)
      )
      .pipe(
        awaitReadModel(catalog),
        Effect.catchTags({
          // A newer boot registered, or another process declared it already: its connections still end below.
          MediaNodeBootReplaced: () => Effect.void,
          MediaNodeAlreadyLost: () => Effect.void,
          MediaNodeNotFound: () => Effect.void
        })
      )
    const ended = yield* control.endConnections(lease.nodeId, { only: lease.bootId }, LOST_MESSAGE)
    const failed = yield* control.failRecordingsOn(lease.nodeId)
    yield* registry.settleExpired(lease)
    yield* Effect.logWarning(
      `media: node ${lease.nodeId} missed its lease; ${ended} connection(s) ended, ${failed} recording(s) failed`
    )
  }
  return expired.length
})

/** How often connections left on a boot that no longer holds its node are looked for. */
const ORPHAN_MILLIS = 30_000
const ORPHAN_BATCH = 1_000
export const ORPHAN_MESSAGE = "media node boot gone"

/**
 * Ends connections the catalog holds on a boot that no longer holds its node's lease: left from before
 * media nodes (a node that never registered), or by a restart whose own sweep was cut short.
 */
export const endOrphans = Effect.gen(function* () {
  const registry = yield* MediaNodeRegistry
  const control = yield* NodeControl
  const orphans = yield* registry.orphaned(ORPHAN_BATCH)
  yield* control.endIngests(orphans, ORPHAN_MESSAGE)
  if (orphans.length > 0)
    yield* Effect.logWarning(`media: ${orphans.length} connection(s) of boots that are gone ended`)
  return orphans.length
})

const logged =
  <A>(what: string, fallback: A) =>
  <E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(Effect.catchCause((cause) => Effect.as(Effect.logError(`media: ${what} failed`, cause), fallback)))

/** Watches leases (and orphaned connections) for as long as it runs; a failed round is logged, the next goes on. */
export const run = Effect.gen(function* () {
  yield* Effect.forkScoped(
    Effect.forever(
      Effect.andThen(endOrphans.pipe(logged("orphan sweep", 0)), Effect.sleep(Duration.millis(ORPHAN_MILLIS)))
    )
  )
  return yield* Effect.forever(
    Effect.andThen(settleExpired.pipe(logged("lease watch", 0)), Effect.sleep(Duration.millis(WATCH_MILLIS)))
  )
})
