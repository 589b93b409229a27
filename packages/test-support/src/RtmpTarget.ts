/**
 * A restream target for tests: a plain nginx-rtmp taking any publish on `rtmp://127.0.0.1:<port>/app`, and
 * with `tls` an RTMPS front (nginx's stream module, a self-signed certificate made with openssl) on
 * `rtmps://127.0.0.1:<tlsPort>/app`. Media published to it can be played back from the plain port.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { stopProcess } from "./StopProcess.ts"
import { freePort, waitFor } from "./Polling.ts"

const MODULES = "/usr/lib/nginx/modules"
const NGINX = Fs.existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx"

export interface RtmpTarget {
  /** The URL a restream target is given (without the key). */
  readonly url: string
  /** Where what was published with `key` plays back (plain RTMP). */
  readonly playUrl: (key: string) => string
  readonly stop: () => Promise<void>
}

export const startRtmpTarget = async (options?: { readonly tls?: boolean }): Promise<RtmpTarget> => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-rtmp-target-"))
  const port = await freePort()
  const tlsPort = options?.tls === true ? await freePort() : null
  const statPort = await freePort()
  let stream = ""
  if (tlsPort !== null) {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-keyout",
        Path.join(dir, "key.pem"),
        "-out",
        Path.join(dir, "cert.pem")
      ],
      { stdio: "ignore" }
    )
    stream = `
stream {
  server {
    listen 127.0.0.1:${tlsPort} ssl;
    ssl_certificate ${Path.join(dir, "cert.pem")};
    ssl_certificate_key ${Path.join(dir, "key.pem")};
    proxy_pass 127.0.0.1:${port};
  }
}`
  }
  const user = process.getuid?.() === 0 ? "user root;\n" : ""
  Fs.writeFileSync(
    Path.join(dir, "nginx.conf"),
    `load_module ${MODULES}/ngx_rtmp_module.so;
${tlsPort === null ? "" : `load_module ${MODULES}/ngx_stream_module.so;`}
${user}worker_processes 1;
daemon off;
pid ${Path.join(dir, "nginx.pid")};
error_log ${Path.join(dir, "error.log")} warn;
events { worker_connections 256; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    application app { live on; }
  }
}
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server { listen 127.0.0.1:${statPort}; location /stat { rtmp_stat all; } location / { return 404; } }
}
${stream}
`
  )
  const child: ChildProcess = spawn(NGINX, ["-p", dir, "-c", Path.join(dir, "nginx.conf")], { stdio: "ignore" })
  const stat = async () => (await fetch(`http://127.0.0.1:${statPort}/stat`)).text()
  // Up once it answers: its listeners are bound by then.
  await waitFor("the target nginx", async () => ((await stat()).includes("<rtmp>") ? true : undefined), 10_000)
  return {
    url: tlsPort === null ? `rtmp://127.0.0.1:${port}/app` : `rtmps://127.0.0.1:${tlsPort}/app`,
    playUrl: (key) => `rtmp://127.0.0.1:${port}/app/${key}`,
    stop: async () => {
      await stopProcess(child, { signal: "SIGQUIT", graceMillis: 3_000 })
      Fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
