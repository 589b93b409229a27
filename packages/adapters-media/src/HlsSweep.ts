/**
 * Removes HLS folders of sessions that are over: nginx leaves them, and a new session never reads them. A
 * grace period lets players finish the segment they are fetching.
 */
import { Clock, Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { MediaControl } from "./MediaControl.ts"
import { RunningNginx } from "./RunningNginx.ts"

/** How long an ended session's HLS folder stays. */
const HLS_GRACE_MILLIS = 30_000
/** Folders asked about at once. */
const BATCH = 1_000

export const sweepHls = Effect.gen(function*() {
  const { hlsDir } = yield* RunningNginx
  const control = yield* MediaControl
  const at = yield* Clock.currentTimeMillis
  yield* Effect.gen(function*() {
    const names = yield* Effect.try({ try: () => Fs.existsSync(hlsDir) ? Fs.readdirSync(hlsDir) : [], catch: (cause) => cause })
    const old: Array<string> = []
    for (const name of names) {
      const folder = Path.join(hlsDir, name)
      if (yield* Effect.try({ try: () => at - Fs.statSync(folder).mtimeMs >= HLS_GRACE_MILLIS, catch: (cause) => cause })) {
        old.push(name)
      }
    }
    for (let start = 0; start < old.length; start += BATCH) {
      const batch = old.slice(start, start + BATCH)
      // A folder is a session's (named by its id); only a session whose media is still open keeps it.
      const open = new Set(yield* control.openSessions(batch))
      for (const name of batch) {
        if (open.has(name)) continue
        yield* Effect.try({ try: () => Fs.rmSync(Path.join(hlsDir, name), { recursive: true, force: true }), catch: (cause) => cause })
      }
    }
  }).pipe(Effect.catch((cause) => Effect.logWarning(`media: HLS sweep: ${String(cause)}`)))
})
