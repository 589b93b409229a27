/** Reports each connection's first playlist once nginx has written it: the stream is playable from then. */
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { MediaControl } from "../protocol/MediaControl.ts"
import { RunningNginx } from "./RunningNginx.ts"

export const reportManifests = Effect.gen(function* () {
  const nginx = yield* RunningNginx
  const control = yield* MediaControl
  for (const connection of nginx.connections.all()) {
    if (connection.manifestReported) continue
    if (!Fs.existsSync(Path.join(nginx.hlsDir, connection.sessionId, "index.m3u8"))) continue
    yield* control.reportManifest(connection.ingestId).pipe(
      Effect.andThen(Effect.sync(() => (connection.manifestReported = true))),
      // Not reported yet: the next round tries again.
      Effect.catch((error) =>
        Effect.logWarning(`media: manifest of ${connection.ingestId} not reported: ${error.message}`)
      )
    )
  }
})
