/**
 * Where encoders and viewers reach OnAir, as configured by the deployment. The playback URL is built
 * from the livestream id: the stream key never appears in it.
 */
export interface PublicUrls {
  /** The RTMP server an encoder publishes to, e.g. `rtmp://live.example.com:1935/live`. */
  readonly rtmpServer: string
  /** The same over TLS, e.g. `rtmps://live.example.com:1936/live`. */
  readonly rtmpsServer: string
  /** Where HLS is served, e.g. `https://live.example.com/hls`. */
  readonly playbackBase: string
}

const trimSlash = (url: string): string => url.replace(/\/+$/, "")

/** Seed 001's `ingest_server` ends with a slash, so the key can be appended as it is. */
export const ingestServer = (urls: PublicUrls): string => `${trimSlash(urls.rtmpServer)}/`

export const playbackUrl = (urls: PublicUrls, livestreamId: string): string =>
  `${trimSlash(urls.playbackBase)}/${livestreamId}/index.m3u8`

/** Where a `realtime` livestream's players send their WHEP offer: beside its HLS, under the same base. */
export const whepUrl = (urls: PublicUrls, livestreamId: string): string =>
  `${trimSlash(urls.playbackBase)}/${livestreamId}/whep`
