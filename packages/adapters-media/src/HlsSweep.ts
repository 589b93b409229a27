/**
 * Removes HLS folders of sessions that are over: nginx leaves them, and a new session never reads them. A
 * grace period lets players finish the segment they are fetching.
 */
import { CatalogReads } from "@onair/catalog"
import { isOpen, type SessionId } from "@onair/core"
import { Clock, Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { RunningNginx } from "./RunningNginx.ts"

/** How long an ended session's HLS folder stays. */
const HLS_GRACE_MILLIS = 30_000

export const sweepHls = Effect.gen(function*() {
  const { hlsDir } = yield* RunningNginx
  const catalog = yield* CatalogReads
  const at = yield* Clock.currentTimeMillis
  yield* Effect.gen(function*() {
    const names = yield* Effect.try({ try: () => Fs.existsSync(hlsDir) ? Fs.readdirSync(hlsDir) : [], catch: (cause) => cause })
    for (const name of names) {
      const folder = Path.join(hlsDir, name)
      const old = yield* Effect.try({ try: () => at - Fs.statSync(folder).mtimeMs >= HLS_GRACE_MILLIS, catch: (cause) => cause })
      if (!old) continue
      // A folder is a session's (named by its id); only a session whose media is still open keeps it.
      const session = yield* catalog.sessionById(name as SessionId)
      if (session !== undefined && isOpen(session)) continue
      yield* Effect.try({ try: () => Fs.rmSync(folder, { recursive: true, force: true }), catch: (cause) => cause })
    }
  }).pipe(Effect.catch((cause) => Effect.logWarning(`media: HLS sweep: ${String(cause)}`)))
})
