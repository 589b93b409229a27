/**
 * Removes the HLS folders, nginx's, the ladders' variants and the DVR windows' segments, of sessions that are over: nothing removes
 * them otherwise, and a new session never reads them. A grace period lets players finish the segment they
 * are fetching.
 */
import { Effect } from "effect"
import { sweepFolders } from "./FolderSweep.ts"
import { MediaControl } from "../protocol/MediaControl.ts"
import type { NginxPaths } from "./NginxConfig.ts"

/** How long an ended session's HLS folder stays. */
const HLS_GRACE_MILLIS = 30_000

export const sweepHls = (paths: Pick<NginxPaths, "hls" | "abr" | "dvr">) =>
  Effect.gen(function* () {
    const control = yield* MediaControl
    // A folder is a session's (named by its id); only a session whose media is still open keeps it.
    yield* sweepFolders({
      dir: paths.hls,
      name: /./,
      graceMillis: HLS_GRACE_MILLIS,
      kept: control.openSessions,
      what: "HLS"
    })
    yield* sweepFolders({
      dir: paths.abr,
      name: /./,
      graceMillis: HLS_GRACE_MILLIS,
      kept: control.openSessions,
      what: "renditions"
    })
    yield* sweepFolders({
      dir: paths.dvr,
      name: /./,
      graceMillis: HLS_GRACE_MILLIS,
      kept: control.openSessions,
      what: "DVR"
    })
  })
