/**
 * Removes HLS folders of sessions that are over: nginx leaves them, and a new session never reads them. A
 * grace period lets players finish the segment they are fetching.
 */
import { LiveCatalog } from "@onair/catalog"
import { Clock, Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { RunningNginx } from "./RunningNginx.ts"

/** How long an ended session's HLS folder stays. */
const HLS_GRACE_MILLIS = 30_000

export const sweepHls = Effect.gen(function*() {
  const { hlsDir } = yield* RunningNginx
  const catalog = yield* LiveCatalog
  const live = new Set<string>()
  for (const livestream of catalog.currentSync().allLivestreams()) {
    const broadcast = livestream.broadcast
    if (broadcast._tag === "Connected" || broadcast._tag === "Reconnecting") live.add(broadcast.sessionId)
  }
  const at = yield* Clock.currentTimeMillis
  yield* Effect.try({
    try: () => {
      for (const name of Fs.existsSync(hlsDir) ? Fs.readdirSync(hlsDir) : []) {
        const folder = Path.join(hlsDir, name)
        if (live.has(name) || at - Fs.statSync(folder).mtimeMs < HLS_GRACE_MILLIS) continue
        Fs.rmSync(folder, { recursive: true, force: true })
      }
    },
    catch: (cause) => cause
  }).pipe(Effect.catch((cause) => Effect.logWarning(`media: HLS sweep: ${String(cause)}`)))
})
