/**
 * The nginx configuration OnAir runs its media server with, written from OnAir's own settings into the
 * media folder (owner-only: it holds the callback, relay and control secrets). One worker (stat and
 * control are per worker), every path absolute and inside the folder so nginx runs unprivileged.
 *
 * There is one door for ingest: the `live` application, whose every publish, end and periodic update is
 * asked of OnAir. OnAir answers a publish with a redirect to the session's name, so nothing after the
 * handshake carries the stream key. It is served by one RTMP server per way in, each its own `srv` index
 * for `rtmp_control` (see `INGEST_SERVERS`):
 *
 * - `rtmp`: the public RTMP listener;
 * - `rtmps`: a loopback listener that only the TLS terminator (the `stream` module) forwards to, with the
 *   PROXY protocol, so the publisher's own address survives termination;
 * - `gateway`: a loopback listener for the node's own bridges from other protocols (WHIP): their publish
 *   was decided by OnAir before the bridge pushed, and the push carries that publish's one-time token;
 * - `srt`: a loopback listener the node's SRT listeners push to (under the stream key, as an RTMP encoder
 *   does): their publishes are decided like RTMP's, and recorded as SRT.
 *
 * HLS is written by the `hls` application, on a server of its own on a loopback port that no public
 * listener forwards to. It takes only `live`'s relay: the relay carries a secret (as its `pageUrl`), and
 * its publish is asked of OnAir too, which admits only the relay of a connection it accepted. So no client,
 * over any listener, can publish a stream that a `playback_url` shows.
 */
import * as Path from "node:path"

export interface NginxSettings {
  /** The media folder: config, pid, logs, temp paths and HLS output live under it. Absolute. */
  readonly dir: string
  /** Where nginx's modules are; Debian's libnginx-mod-rtmp installs into /usr/lib/nginx/modules. */
  readonly moduleDir: string
  /** The address encoders reach (0.0.0.0 for every interface). */
  readonly host: string
  readonly rtmpPort: number
  /**
   * RTMPS port with its certificate and key, and the loopback port the terminator forwards to; null for
   * no TLS listener.
   */
  readonly rtmps: {
    readonly port: number
    readonly certificate: string
    readonly key: string
    readonly backendPort: number
  } | null
  /** The loopback port of the `hls` application's server, reached only by nginx's own relay. */
  readonly relayPort: number
  /** What the relay presents (as its `pageUrl`) and OnAir checks before the `hls` application takes it. */
  readonly relaySecret: string
  /** The loopback port of the `gateway` ingest server, which the node's protocol bridges push to. */
  readonly gatewayPort: number
  /** The loopback port of the `srt` ingest server, which the node's SRT listeners push to. */
  readonly srtPort: number
  /** The loopback port of nginx's own HTTP server: `/stat` and `/control`, for OnAir only. */
  readonly controlPort: number
  /** The path prefix `/stat` and `/control` are under: loopback reach alone is not enough. */
  readonly controlSecret: string
  /** Where nginx posts its callbacks, e.g. `http://127.0.0.1:40123/media/nginx/<secret>/<run>`. */
  readonly callbackBase: string
  /** HLS target segment length in seconds; the playlist keeps `hlsPlaylistSeconds` of them. */
  readonly hlsFragmentSeconds: number
  readonly hlsPlaylistSeconds: number
  /** How often nginx asks OnAir whether a live publisher may go on (seconds). */
  readonly updateSeconds: number
  /**
   * The user nginx's worker runs as when OnAir runs as root (nginx ignores it otherwise): the media
   * folder's owner, who can write HLS there. Null leaves nginx's default (`nobody`).
   */
  readonly workerUser: string | null
}

/** The applications' names as encoders and the relay see them. */
export const PUBLISH_APP = "live"
export const HLS_APP = "hls"

/**
 * The ways in, in the order of their RTMP servers: the index is the server's `srv` for `rtmp_control`,
 * and each posts its callbacks under its own name, so OnAir knows where a publisher is.
 */
export const INGEST_SERVERS = ["rtmp", "rtmps", "gateway", "srt"] as const
export type IngestServer = (typeof INGEST_SERVERS)[number]

/** The callback the `hls` application asks before it takes a relay, and the one it sends when a relay ends. */
export const RELAY_CALLBACK = "relay"
export const RELAY_DONE_CALLBACK = "relay-done"

export interface NginxPaths {
  readonly config: string
  readonly pid: string
  readonly errorLog: string
  readonly hls: string
  /** The adaptive ladders' variants (`LadderWorkers`), one folder per session, beside nginx's HLS. */
  readonly abr: string
  /** The DVR windows' segments that left memory (`Packagers`), one folder per session. */
  readonly dvr: string
  /** What nginx records: one FLV per connection, `<session id>-<time>.flv`. */
  readonly recordingParts: string
  /** Finished recordings, one folder per session (`RecordingJobs`). */
  readonly recordings: string
  readonly logs: string
  readonly temp: string
}

export const paths = (dir: string): NginxPaths => ({
  config: Path.join(dir, "conf", "nginx.conf"),
  pid: Path.join(dir, "nginx.pid"),
  errorLog: Path.join(dir, "logs", "error.log"),
  hls: Path.join(dir, "hls"),
  abr: Path.join(dir, "abr"),
  dvr: Path.join(dir, "dvr"),
  recordingParts: Path.join(dir, "recordings", "parts"),
  recordings: Path.join(dir, "recordings"),
  logs: Path.join(dir, "logs"),
  temp: Path.join(dir, "temp")
})

/** The control server's URL for OnAir: `/stat` and `/control/…` go after it. */
export const controlUrl = (settings: Pick<NginxSettings, "controlPort" | "controlSecret">) =>
  `http://127.0.0.1:${settings.controlPort}/${settings.controlSecret}`

/** The whole nginx.conf for `settings`. Pure: the same settings give the same text. */
export const render = (settings: NginxSettings): string => {
  const p = paths(settings.dir)
  const module = (name: string) => `load_module ${Path.join(settings.moduleDir, name)};`
  const callback = (name: string) => `${settings.callbackBase.replace(/\/+$/, "")}/${name}`
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((kind) => `  ${kind}_temp_path ${Path.join(p.temp, kind)};`)
    .join("\n")
  const rtmps = settings.rtmps
  const ingest = (server: IngestServer, listen: string) => `
  server {
    listen ${listen};
    chunk_size 4096;
    notify_method post;

    application ${PUBLISH_APP} {
      live on;
      deny play all;
      drop_idle_publisher 10s;
      on_publish ${callback(`${server}/publish`)};
      on_publish_done ${callback(`${server}/publish-done`)};
      on_update ${callback(`${server}/update`)};
      notify_update_timeout ${settings.updateSeconds}s;
      notify_update_strict on;
      push rtmp://127.0.0.1:${settings.relayPort}/${HLS_APP} pageUrl=${settings.relaySecret};
    }
  }
`
  return `# Written by OnAir from its configuration; edits are overwritten at the next start. Owner-only: secrets.
${module("ngx_rtmp_module.so")}
${rtmps === null ? "" : module("ngx_stream_module.so")}
${settings.workerUser === null ? "" : `user ${settings.workerUser};\n`}worker_processes 1;
pid ${p.pid};
error_log ${p.errorLog} warn;

events {
  worker_connections 4096;
}

rtmp {
  # No stream names in the log: before the redirect the name is the stream key.
  log_format onair '$remote_addr [$time_local] $command "$app" $bytes_received $bytes_sent ($session_readable_time)';
  access_log ${Path.join(p.logs, "rtmp-access.log")} onair;
${ingest("rtmp", `${settings.host}:${settings.rtmpPort}`)}${
  rtmps === null
    ? // The rtmps server keeps its place (and so every srv index) with a listener nothing can reach.
      ingest("rtmps", `unix:${Path.join(settings.dir, "rtmps-off.sock")}`)
    : ingest("rtmps", `127.0.0.1:${rtmps.backendPort} proxy_protocol`)
}${ingest("gateway", `127.0.0.1:${settings.gatewayPort}`)}${ingest("srt", `127.0.0.1:${settings.srtPort}`)}
  server {
    listen 127.0.0.1:${settings.relayPort};
    chunk_size 4096;
    notify_method post;

    application ${HLS_APP} {
      live on;
      allow publish 127.0.0.1;
      deny publish all;
      # The node's own restream relays read each session here (this listener is loopback only).
      allow play 127.0.0.1;
      deny play all;
      on_publish ${callback(RELAY_CALLBACK)};
      on_publish_done ${callback(RELAY_DONE_CALLBACK)};
      hls on;
      hls_path ${p.hls};
      hls_nested on;
      hls_fragment ${settings.hlsFragmentSeconds}s;
      hls_playlist_length ${settings.hlsPlaylistSeconds}s;
      hls_continuous on;
      hls_cleanup on;
      # Every accepted connection's media as it arrives (one file per connection); the node joins a
      # session's parts when the session ends, or drops them when the session is not recorded.
      record all;
      record_path ${p.recordingParts};
      record_unique on;
    }
  }
}

http {
  access_log off;
${temp}

  server {
    listen 127.0.0.1:${settings.controlPort};
    location = /${settings.controlSecret}/stat { rtmp_stat all; }
    location /${settings.controlSecret}/control/ { rtmp_control all; }
    location / { return 404; }
  }
}
${
  rtmps === null
    ? ""
    : `
stream {
  server {
    listen ${settings.host}:${rtmps.port} ssl;
    ssl_certificate ${rtmps.certificate};
    ssl_certificate_key ${rtmps.key};
    proxy_pass 127.0.0.1:${rtmps.backendPort};
    proxy_protocol on;
  }
}
`
}`
}
