/** Media nodes of their own (`apps/media-node`), started as an operator starts them, and their credentials. */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { MAIN } from "./MainJob.ts"
import { freePort, sleep, waitFor } from "./Polling.ts"
import { stopProcess } from "./StopProcess.ts"

const exec = promisify(execFile)

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
