/**
 * The command path's port for "which livestream has this key now": the publish decision reads the
 * livestream it names from its own stream and appends against its version, so an answer that lags a
 * concurrent rotation cannot let a stale key in. Deployments answer it from the catalog's table (indexed by
 * the key's keyed hash); `StreamKeys.inMemory` folds the livestream streams in this process, for tools and
 * tests on a small log without the catalog.
 */
import type { AggregateReadFailed, LivestreamId, StreamKey } from "@onair/core"
import { Context, type Effect, Layer } from "effect"
import * as StreamKeyIndex from "./StreamKeyIndex.ts"

export class StreamKeys extends Context.Service<
  StreamKeys,
  {
    /** The livestream whose current key this is, as of everything committed before the call. */
    readonly lookup: (key: StreamKey) => Effect.Effect<LivestreamId | null, AggregateReadFailed>
  }
>()("@onair/application/StreamKeys") {
  static readonly inMemory = Layer.effect(StreamKeys, StreamKeyIndex.make)
}
