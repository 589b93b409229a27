/**
 * The node's media server is gone (nginx exited): every connection it had is over, and the control plane
 * ends each broadcast it carried with `internal error`. Only this boot's connections: another node's, or
 * this node's next boot's, are not touched.
 */
import { Effect, Schedule } from "effect"
import { MediaControl } from "../protocol/MediaControl.ts"
import { RunningNginx } from "./RunningNginx.ts"

export const lost = (message: string) =>
  Effect.gen(function* () {
    const nginx = yield* RunningNginx
    const control = yield* MediaControl
    const had = nginx.connections.size
    // From here on the old nginx's late callbacks are refused: its id is no longer the running one.
    yield* nginx.stopped
    yield* control.mediaLost(nginx.bootId, message).pipe(
      // Told until the control plane has it (or the lease runs out and it ends them itself).
      Effect.retry({ schedule: Schedule.spaced("1 second"), times: 30 }),
      Effect.catch((error) => Effect.logError(`media: loss of the media server not reported: ${error.message}`))
    )
    if (had > 0) yield* Effect.logWarning(`media: ${had} connection(s) ended: ${message}`)
  })
