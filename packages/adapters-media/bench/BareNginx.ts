/**
 * A bare nginx-rtmp for the media benchmarks: OnAir's own config, every callback answered 200 by a stub,
 * no control plane; the media server alone. `recording: false` leaves out the `record` lines, so the
 * cost of recording can be measured against the same server without it.
 */
import { Effect, Exit, Scope } from "effect"
import * as Fs from "node:fs"
import { createServer } from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import { freePort } from "@onair/test-support"
import { defaultNginx } from "../src/node/MediaSettings.ts"
import * as NginxConfig from "../src/node/NginxConfig.ts"
import * as NginxProcess from "../src/node/NginxProcess.ts"

const NGINX = defaultNginx()

/** Starts a bare nginx-rtmp with HLS fragments of `fragmentSeconds`. */
export const bareNginx = async (fragmentSeconds: number, options?: { readonly recording?: boolean }) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-bench-bare-"))
  const allow = createServer((_, response) => response.writeHead(200).end())
  const allowPort = await freePort()
  await new Promise<void>((resolve) => allow.listen(allowPort, "127.0.0.1", resolve))
  const settings: NginxConfig.NginxSettings = {
    dir,
    moduleDir: "/usr/lib/nginx/modules",
    host: "127.0.0.1",
    rtmpPort: await freePort(),
    rtmps: null,
    relayPort: await freePort(),
    relaySecret: "bench",
    gatewayPort: await freePort(),
    srtPort: await freePort(),
    controlPort: await freePort(),
    controlSecret: "bench",
    callbackBase: `http://127.0.0.1:${allowPort}/allow`,
    hlsFragmentSeconds: fragmentSeconds,
    hlsPlaylistSeconds: 6 * fragmentSeconds,
    updateSeconds: 5,
    workerUser: process.getuid?.() === 0 ? "root" : null
  }
  // The same nginx, answering every callback with 200: the stream keeps its name and is relayed to HLS.
  // Started and stopped as OnAir runs it, in a scope of its own.
  const scope = await Effect.runPromise(Scope.make())
  const withoutRecording = Effect.sync(() => {
    if (options?.recording !== false) return
    const config = NginxConfig.paths(dir).config
    Fs.writeFileSync(config, Fs.readFileSync(config, "utf8").replace(/^\s*record(_path|_unique)? [^\n]*\n/gm, ""), {
      mode: 0o600
    })
  })
  await Effect.runPromise(
    NginxProcess.prepare(NGINX, settings).pipe(
      Effect.andThen(withoutRecording),
      Effect.andThen(NginxProcess.start(NGINX, settings, "bare")),
      Effect.provideService(Scope.Scope, scope)
    )
  )
  return {
    settings,
    pid: () => Number(Fs.readFileSync(NginxConfig.paths(dir).pid, "utf8").trim()),
    stop: async () => {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      allow.close()
      Fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
