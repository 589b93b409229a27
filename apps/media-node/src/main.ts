/**
 * `node src/main.ts`: a media node of its own: nginx-rtmp and OnAir's media agent, taking RTMP/RTMPS on
 * its ports and serving HLS on `PORT` (default 8788), deciding every publish with the control plane at
 * `ONAIR_CONTROL_URL` with its credential. It holds no catalog and opens no database.
 */
import { NodeRuntime } from "@effect/platform-node"
import {
  DEFAULT_NODE_PORT,
  MediaServer,
  NodeIdentity,
  NodeSettings,
  RecordingFileRoutes,
  RecordingStore,
  RemoteMediaControl,
  TranscriptionEngine
} from "@onair/adapters-media"
import { Observability, PublicUrlsConfig } from "@onair/application"
import { Config, Effect, Layer, Option } from "effect"

// Everything the node and its nginx create is its owner's alone: media, logs, keys.
process.umask(0o077)

const node = Effect.gen(function* () {
  const remote = yield* NodeSettings.fromEnv
  const identity = { ...(yield* NodeIdentity.fromEnv), nodeId: remote.nodeId }
  const configured = yield* PublicUrlsConfig
  // Unless told its public playback address, players reach the node on its own port.
  const port = yield* Config.Int("PORT").pipe(Config.withDefault(DEFAULT_NODE_PORT))
  const playback = yield* Config.option(Config.String("ONAIR_PUBLIC_PLAYBACK_URL"))
  const urls = Option.isSome(playback) ? configured : { ...configured, playbackBase: `http://localhost:${port}/hls` }
  const dataDir = yield* Config.String("ONAIR_DATA_DIR").pipe(Config.withDefault("./data-media-node"))
  yield* Effect.logInfo(`media node ${identity.nodeId}: control plane ${remote.controlUrl}`)
  const agent = Layer.unwrap(
    Effect.map(Effect.service(MediaServer), (server) =>
      MediaServer.agent(NodeIdentity.registration(identity, urls, server.settings.rtmpsPort !== 0))
    )
  )
  const files = Layer.unwrap(
    Effect.map(Effect.service(MediaServer), (server) =>
      RecordingFileRoutes.nodeRoutes(server.settings.dir, remote.credential)
    )
  )
  return yield* Layer.launch(
    Layer.merge(agent, MediaServer.httpServer(Layer.merge(MediaServer.routes, files))).pipe(
      Layer.provideMerge(MediaServer.node),
      Layer.provideMerge(RemoteMediaControl.layer(remote)),
      Layer.provideMerge(MediaServer.fromEnv(dataDir)),
      Layer.provideMerge(Layer.merge(RecordingStore.fromEnv, TranscriptionEngine.fromEnv))
    )
  )
}).pipe(Effect.provide(PublicUrlsConfig.layer))

NodeRuntime.runMain(node.pipe(Effect.provide(Observability.layer("onair-media-node"))))
