/**
 * The nginx configuration OnAir runs its media server with, written from OnAir's own settings into the
 * media folder. One worker (stat and control are per worker), every path absolute and inside the folder so
 * nginx runs unprivileged, and two RTMP applications:
 *
 * - `live` takes encoders. Every publish, its end and a periodic update are asked of OnAir; OnAir answers a
 *   publish with a redirect to the session's name, so nothing after the handshake carries the stream key.
 * - `hls` takes only the relay from `live` (loopback) and writes the HLS playlist and segments, under the
 *   session's name, for OnAir to serve.
 *
 * RTMPS is TLS terminated by the `stream` module in front of the RTMP listener.
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
  /** RTMPS port with its certificate and key, or null for no TLS listener. */
  readonly rtmps: { readonly port: number; readonly certificate: string; readonly key: string } | null
  /** The loopback port of nginx's own HTTP server: `/stat` and `/control`, for OnAir only. */
  readonly controlPort: number
  /** Where nginx posts its callbacks, e.g. `http://127.0.0.1:8787/media/callbacks/<secret>`. */
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

export interface NginxPaths {
  readonly config: string
  readonly pid: string
  readonly errorLog: string
  readonly hls: string
  readonly logs: string
  readonly temp: string
}

export const paths = (dir: string): NginxPaths => ({
  config: Path.join(dir, "conf", "nginx.conf"),
  pid: Path.join(dir, "nginx.pid"),
  errorLog: Path.join(dir, "logs", "error.log"),
  hls: Path.join(dir, "hls"),
  logs: Path.join(dir, "logs"),
  temp: Path.join(dir, "temp")
})

/** The whole nginx.conf for `settings`. Pure: the same settings give the same text. */
export const render = (settings: NginxSettings): string => {
  const p = paths(settings.dir)
  const module = (name: string) => `load_module ${Path.join(settings.moduleDir, name)};`
  const callback = (name: string) => `${settings.callbackBase.replace(/\/+$/, "")}/${name}`
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((kind) => `  ${kind}_temp_path ${Path.join(p.temp, kind)};`)
    .join("\n")
  const rtmps = settings.rtmps
  return `# Written by OnAir from its configuration; edits are overwritten at the next start.
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

  server {
    listen ${settings.host}:${settings.rtmpPort};
    chunk_size 4096;
    notify_method post;

    application ${PUBLISH_APP} {
      live on;
      deny play all;
      drop_idle_publisher 10s;
      on_publish ${callback("publish")};
      on_publish_done ${callback("publish-done")};
      on_update ${callback("update")};
      notify_update_timeout ${settings.updateSeconds}s;
      notify_update_strict on;
      push rtmp://127.0.0.1:${settings.rtmpPort}/${HLS_APP};
    }

    application ${HLS_APP} {
      live on;
      allow publish 127.0.0.1;
      deny publish all;
      deny play all;
      hls on;
      hls_path ${p.hls};
      hls_nested on;
      hls_fragment ${settings.hlsFragmentSeconds}s;
      hls_playlist_length ${settings.hlsPlaylistSeconds}s;
      hls_continuous on;
      hls_cleanup on;
    }
  }
}

http {
  access_log off;
${temp}

  server {
    listen 127.0.0.1:${settings.controlPort};
    location /stat { rtmp_stat all; }
    location /control { rtmp_control all; }
  }
}
${
    rtmps === null ? "" : `
stream {
  server {
    listen ${settings.host}:${rtmps.port} ssl;
    ssl_certificate ${rtmps.certificate};
    ssl_certificate_key ${rtmps.key};
    proxy_pass 127.0.0.1:${settings.rtmpPort};
  }
}
`
  }`
}
