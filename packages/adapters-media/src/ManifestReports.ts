/** Reports each connection's first playlist once nginx has written it: the stream is playable from then. */
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { now, RunningNginx } from "./RunningNginx.ts"

export const reportManifests = Effect.gen(function*() {
  const nginx = yield* RunningNginx
  for (const connection of nginx.connections.all()) {
    if (connection.manifestReported) continue
    if (!Fs.existsSync(Path.join(nginx.hlsDir, connection.sessionId, "index.m3u8"))) continue
    connection.manifestReported = true
    yield* nginx.send(
      { _tag: "ReportManifest", at: yield* now, ingestId: connection.ingestId },
      `media:${connection.ingestId}:manifest`,
      ["IngestNotConnected"]
    )
  }
})
