/**
 * The main job as the README runs it, in a child process on free ports with its own data folder: the API,
 * nginx and the timers. Encoders are real ffmpeg processes publishing a test pattern; players are ffprobe
 * and ffmpeg reading the playback URL.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as Fs from "node:fs"
import { createServer } from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { stopProcess } from "./StopProcess.ts"

/** The webhook worker on its own (`apps/worker`). */
export const WORKER = Path.resolve(import.meta.dirname, "../../../apps/worker/src/main.ts")

/**
 * A webhook worker process on the database, with the deployment key its secrets are stored under, free to
 * deliver to loopback receivers; `env` adds or overrides settings.
 */
export const startWorker = (databaseUrl: string, secretKey: string, env: Record<string, string> = {}): ChildProcess =>
  spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      ONAIR_OUTBOUND_ALLOWLIST: "127.0.0.1/32",
      ONAIR_SECRET_KEY: secretKey,
      ...env
    },
    stdio: "ignore"
  })
/** The main job as the README runs it: a process boundary, not an import (apps depend on adapters). */
const MAIN = Path.resolve(import.meta.dirname, "../../../apps/api/src/main.ts")
const exec = promisify(execFile)

/** Whether `port` can be bound on loopback now. */
const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer()
    server.once("error", () => resolve(false))
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
  })

/**
 * A port that is free now, for a listener a test names itself (a job's API, RTMP, RTMPS ports). It is
 * taken below the kernel's ephemeral range (32768 up on Linux), where every process's "any free port" comes
 * from: a port this process gives up until the job binds it cannot be taken meanwhile by another job's
 * nginx picking its loopback ports, which would keep that job from ever starting.
 */
export const freePort = async (): Promise<number> => {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    if (await isFree(port)) return port
  }
  throw new Error("no free port below the ephemeral range")
}

export const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/** Polls `probe` until it returns something other than undefined, or fails with what it saw last. */
export const waitFor = async <A>(what: string, probe: () => Promise<A | undefined>, timeoutMs = 20_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    await sleep(100)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? "" : `: ${String(last)}`}`)
}

export interface Answer {
  readonly status: number
  readonly body: any
}

export interface MainJob {
  readonly url: string
  readonly account: string
  readonly app: string
  /** The main job's process id. */
  readonly pid: number
  readonly rtmpPort: number
  readonly rtmpsPort: number
  readonly dataDir: string
  readonly mediaDir: string
  /** Everything the job logged so far. */
  readonly log: () => string
  /** The app's API token. */
  readonly token: string
  /** The job's `ONAIR_ADMIN_TOKEN`. */
  readonly adminToken: string
  /** A request to the app's livestream API (`path` after `/accounts/<a>/realtime/kit/<app>`). */
  readonly api: (method: string, path: string, body?: unknown) => Promise<Answer>
  /** The running nginx's pid, from its pid file. */
  readonly nginxPid: () => number
  readonly stop: () => Promise<void>
}

/** The account and app every main job's token is for (fixtures made before the job starts use them). */
export const ACCOUNT = "acct_media"
export const APP = "app_media"

/**
 * Starts the main job on free ports in a new data folder; `env` adds to its environment, and may name the
 * folder and ports itself (`ONAIR_DATA_DIR`, `PORT`, `ONAIR_RTMP_PORT`, `ONAIR_RTMPS_PORT`), to start a job
 * again where an earlier one ran.
 */
export const startMainJob = async (env: Record<string, string> = {}): Promise<MainJob> => {
  // A data directory the caller gives stays theirs: it outlives the job (a restart on the same data).
  const owned = env["ONAIR_DATA_DIR"] === undefined
  const dataDir = env["ONAIR_DATA_DIR"] ?? Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-media-"))
  const given = (name: string) => (env[name] === undefined ? freePort() : Promise.resolve(Number(env[name])))
  const [port, rtmpPort, rtmpsPort] = [
    await given("PORT"),
    await given("ONAIR_RTMP_PORT"),
    await given("ONAIR_RTMPS_PORT")
  ]
  const adminToken = `admin-${Math.random().toString(36).slice(2)}-${Date.now()}`
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: "",
      ONAIR_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      ONAIR_RTMP_HOST: "127.0.0.1",
      ONAIR_RTMP_PORT: String(rtmpPort),
      ONAIR_RTMPS_PORT: String(rtmpsPort),
      ONAIR_ADMIN_TOKEN: adminToken,
      ONAIR_MEDIA: "on",
      // The tests' receivers listen on loopback, which the outbound guard refuses unless the operator admits it.
      ONAIR_OUTBOUND_ALLOWLIST: "127.0.0.1/32",
      ONAIR_PUBLIC_API_URL: `http://127.0.0.1:${port}`,
      ...env
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout!.on("data", (chunk: Buffer) => (output += String(chunk)))
  child.stderr!.on("data", (chunk: Buffer) => (output += String(chunk)))
  const url = `http://127.0.0.1:${port}`
  const ready = (env["ONAIR_MEDIA"] ?? "on") === "off" ? /OnAir API on/ : /media: nginx \d+ takes RTMP/
  // A job that exits before it is ready fails at once (waitFor would take its exit for a probe to retry).
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`the main job exited with ${code} before it was ready`)))
  )
  exited.catch(() => {})
  await Promise.race([
    waitFor("the main job to be ready", async () => (ready.test(output) ? true : undefined), 60_000),
    exited
  ]).catch((error: unknown) => {
    // Say why: the job's own last words.
    child.kill("SIGKILL")
    throw new Error(`${String(error)}\nthe job's output:\n${output.slice(-3000)}`)
  })
  // The tests' app, as an operator makes it (already there when the job restarts on the same data).
  const app = await fetch(`${url}/admin/accounts/${ACCOUNT}/apps`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ id: APP, name: "media tests" })
  })
  if (app.status !== 201 && app.status !== 409)
    throw new Error(`the test app was not made: ${app.status} ${await app.text()}`)
  const created = await fetch(`${url}/admin/accounts/${ACCOUNT}/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ apps: [APP], label: "media tests" })
  })
  const token = ((await created.json()) as any).data.token as string
  const mediaDir = Path.join(dataDir, "media")
  return {
    url,
    account: ACCOUNT,
    app: APP,
    pid: child.pid!,
    rtmpPort,
    rtmpsPort,
    dataDir,
    mediaDir,
    log: () => output,
    token,
    adminToken,
    api: async (method, path, body) => {
      const response = await fetch(`${url}/accounts/${ACCOUNT}/realtime/kit/${APP}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" })
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      const text = await response.text()
      return { status: response.status, body: text === "" ? undefined : JSON.parse(text) }
    },
    nginxPid: () => Number(Fs.readFileSync(Path.join(mediaDir, "nginx.pid"), "utf8").trim()),
    stop: async () => {
      await stopProcess(child, { graceMillis: 15_000 })
      if (owned) Fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

export interface Encoder {
  readonly pid: number
  /** Resolves with ffmpeg's exit code. */
  readonly exited: Promise<number | null>
  readonly output: () => string
  /** Stops it the way an operator stops OBS: the connection closes. */
  readonly stop: () => Promise<number | null>
}

/**
 * ffmpeg publishing the notes' browser-playable test pattern (H.264 High yuv420p + AAC) to `url` in real
 * time. Small frames keep two test encoders within this machine's two cores.
 */
export const publish = (
  url: string,
  options?: { readonly size?: string; readonly pattern?: "testsrc" | "testsrc2" }
): Encoder => {
  const child = spawn(
    "ffmpeg",
    [
      "-nostdin",
      "-loglevel",
      "error",
      "-re",
      "-f",
      "lavfi",
      "-i",
      `${options?.pattern ?? "testsrc"}=size=${options?.size ?? "640x360"}:rate=30`,
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=1000",
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-tune",
      "zerolatency",
      "-pix_fmt",
      "yuv420p",
      "-g",
      "60",
      "-c:a",
      "aac",
      "-f",
      url.startsWith("srt://") ? "mpegts" : "flv",
      url
    ],
    { stdio: ["ignore", "ignore", "pipe"] }
  )
  let output = ""
  child.stderr!.on("data", (chunk: Buffer) => (output += String(chunk)))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return {
    pid: child.pid!,
    exited,
    output: () => output,
    stop: async () => {
      await stopProcess(child, { signal: "SIGINT", graceMillis: 5_000 })
      return await exited
    }
  }
}

/** What ffprobe reads at `url`: each stream's codec and profile. */
export const probe = async (
  url: string
): Promise<ReadonlyArray<{ codec_name: string; profile?: string; width?: number }>> => {
  const { stdout } = await exec(
    "ffprobe",
    [
      "-v",
      "error",
      "-rw_timeout",
      "10000000",
      "-show_entries",
      "stream=codec_name,profile,width,height",
      "-of",
      "json",
      url
    ],
    { timeout: 20_000 }
  )
  return (JSON.parse(stdout) as { streams: Array<{ codec_name: string; profile?: string; width?: number }> }).streams
}

/** Plays `seconds` of `url` with ffmpeg, as a viewer would (segments fetched in real time). */
export const play = (url: string, seconds: number) =>
  exec("ffmpeg", ["-nostdin", "-v", "error", "-re", "-i", url, "-t", String(seconds), "-f", "null", "-"], {
    timeout: (seconds + 20) * 1000
  })

/** A media node of its own (`apps/media-node`). */
const MEDIA_NODE = Path.resolve(import.meta.dirname, "../../../apps/media-node/src/main.ts")

/** A node's credential, made by the main job's CLI from the node secret, as an operator makes it. */
export const nodeCredential = async (secret: string, nodeId: string): Promise<string> => {
  const { stdout } = await exec(process.execPath, [MAIN, "media-nodes", "credential", nodeId], {
    env: { ...process.env, ONAIR_MEDIA_NODE_SECRET: secret }
  })
  return stdout.trim()
}

export interface MediaNode {
  readonly nodeId: string
  readonly pid: number
  readonly rtmpPort: number
  readonly httpPort: number
  readonly dataDir: string
  readonly log: () => string
  /** The machine dies: the node and its nginx (its process group) are killed with SIGKILL. */
  readonly kill: () => Promise<void>
  readonly stop: () => Promise<void>
}

/**
 * Starts a media node on free ports, registered with the control plane at `controlUrl` with a credential
 * made from `secret`; `options.dataDir` starts it again where an earlier one ran.
 */
export const startMediaNode = async (
  controlUrl: string,
  secret: string,
  nodeId: string,
  options: {
    readonly dataDir?: string
    readonly rtmpPort?: number
    readonly httpPort?: number
    readonly env?: Record<string, string>
  } = {}
): Promise<MediaNode> => {
  const dataDir = options.dataDir ?? Fs.mkdtempSync(Path.join(Os.tmpdir(), `onair-${nodeId}-`))
  const rtmpPort = options.rtmpPort ?? (await freePort())
  const httpPort = options.httpPort ?? (await freePort())
  const credential = await nodeCredential(secret, nodeId)
  const child: ChildProcess = spawn(process.execPath, [MEDIA_NODE], {
    env: {
      ...process.env,
      ONAIR_CONTROL_URL: controlUrl,
      ONAIR_NODE_CREDENTIAL: credential,
      ONAIR_DATA_DIR: dataDir,
      PORT: String(httpPort),
      HOST: "127.0.0.1",
      ONAIR_RTMP_HOST: "127.0.0.1",
      ONAIR_RTMP_PORT: String(rtmpPort),
      ONAIR_RTMPS_PORT: "0",
      ONAIR_PUBLIC_RTMP_URL: `rtmp://127.0.0.1:${rtmpPort}/live`,
      ONAIR_PUBLIC_PLAYBACK_URL: `http://127.0.0.1:${httpPort}/hls`,
      ONAIR_MEDIA: "on",
      ...options.env
    },
    // Its own process group, so a test can kill the node with its nginx as a machine would die.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout!.on("data", (chunk: Buffer) => (output += String(chunk)))
  child.stderr!.on("data", (chunk: Buffer) => (output += String(chunk)))
  const exited = new Promise((resolve) => child.once("exit", resolve))
  await waitFor(
    `media node ${nodeId} to take RTMP`,
    async () => {
      if (child.exitCode !== null) throw new Error(`media node ${nodeId} exited with ${child.exitCode}:\n${output}`)
      return /media: nginx \d+ takes RTMP/.test(output) ? true : undefined
    },
    60_000
  ).catch((error: unknown) => {
    process.kill(-child.pid!, "SIGKILL")
    throw new Error(`${String(error)}\nthe node's output:\n${output.slice(-3000)}`)
  })
  const alive = () => child.exitCode === null && child.signalCode === null
  return {
    nodeId,
    pid: child.pid!,
    rtmpPort,
    httpPort,
    dataDir,
    log: () => output,
    kill: async () => {
      if (alive()) process.kill(-child.pid!, "SIGKILL")
      await Promise.race([exited, sleep(5_000)])
    },
    stop: () => stopProcess(child, { graceMillis: 15_000, group: true })
  }
}
