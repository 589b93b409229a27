/**
 * Removes HLS folders of sessions that are over: nginx leaves them, and a new session never reads them. A
 * grace period lets players finish the segment they are fetching.
 */
import { Effect } from "effect"
import * as Path from "node:path"
import { sweepFolders } from "./FolderSweep.ts"
import { MediaControl } from "./MediaControl.ts"
import { RunningNginx } from "./RunningNginx.ts"

/** How long an ended session's HLS folder stays. */
const HLS_GRACE_MILLIS = 30_000

export const sweepHls = Effect.gen(function*() {
  const { hlsDir } = yield* RunningNginx
  const control = yield* MediaControl
  // A folder is a session's (named by its id); only a session whose media is still open keeps it.
  yield* sweepFolders({ dir: hlsDir, name: /./, graceMillis: HLS_GRACE_MILLIS, kept: control.openSessions, what: "HLS" })
  // The ladders' variants, beside it.
  const abrDir = Path.join(Path.dirname(hlsDir), "abr")
  yield* sweepFolders({ dir: abrDir, name: /./, graceMillis: HLS_GRACE_MILLIS, kept: control.openSessions, what: "renditions" })
})
