import { Config, Context, Effect, Layer, Option } from "effect"

/** Where encoders and viewers reach this deployment (from the environment). */
export class PublicUrlsConfig extends Context.Service<
  PublicUrlsConfig,
  {
    readonly rtmpServer: string
    readonly rtmpsServer: string
    readonly playbackBase: string
    /** Whether the playback base was configured (a CDN or load balancer): it is then every livestream's. */
    readonly playbackConfigured: boolean
    /** Where the API is reached from outside (`ONAIR_PUBLIC_API_URL`): signed recording links point here. */
    readonly apiBase: string
  }
>()("@onair/application/PublicUrlsConfig") {
  static readonly layer = Layer.effect(
    PublicUrlsConfig,
    Effect.gen(function* () {
      // Unless told the public addresses, encoders and players reach this machine on the ports it serves.
      const rtmpPort = yield* Config.Int("ONAIR_RTMP_PORT").pipe(Config.withDefault(1935))
      const rtmpsPort = yield* Config.Int("ONAIR_RTMPS_PORT").pipe(Config.withDefault(1936))
      const httpPort = yield* Config.Int("PORT").pipe(Config.withDefault(8787))
      const rtmpServer = yield* Config.String("ONAIR_PUBLIC_RTMP_URL").pipe(
        Config.withDefault(`rtmp://localhost:${rtmpPort}/live`)
      )
      const rtmpsServer = yield* Config.String("ONAIR_PUBLIC_RTMPS_URL").pipe(
        Config.withDefault(`rtmps://localhost:${rtmpsPort}/live`)
      )
      const playback = yield* Config.option(Config.String("ONAIR_PUBLIC_PLAYBACK_URL"))
      const apiBase = yield* Config.String("ONAIR_PUBLIC_API_URL").pipe(
        Config.withDefault(`http://localhost:${httpPort}`)
      )
      return {
        apiBase: apiBase.replace(/\/+$/, ""),
        rtmpServer,
        rtmpsServer,
        playbackBase: Option.getOrElse(playback, () => `http://localhost:${httpPort}/hls`),
        playbackConfigured: Option.isSome(playback)
      }
    })
  )
}
