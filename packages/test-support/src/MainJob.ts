/**
 * The main job as the README runs it, in a child process on free ports with its own data folder: the API,
 * nginx and the timers. Encoders and players are `Encoders`; media nodes of their own are `MediaNode`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { seedConformance } from "@onair/core"
import { subjectOf } from "@onair/webhooks"
import { seedEmbeddedDatabase } from "./EmbeddedTemplate.ts"
import { freePort, waitFor } from "./Polling.ts"
import { stopProcess } from "./StopProcess.ts"

/** The main job as the README runs it: a process boundary, not an import (apps depend on adapters). */
export const MAIN = Path.resolve(import.meta.dirname, "../../../apps/api/src/main.ts")

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
  /**
   * The job's `ONAIR_METRICS_TOKEN`, for `/metrics` (one is made unless `env` gives one; an empty one turns
   * the token off, and `settled` with it, when the metrics are on a listener of their own).
   */
  readonly metricsToken: string
  /**
   * Resolves once the job has caught up with what its log holds now: the catalog and the webhook outbox
   * have read it to its end, and no delivery waits (a first try, a retry, or one being sent). What must
   * not happen is known not to have happened once this resolves, without waiting for time to pass.
   */
  readonly settled: () => Promise<void>
  readonly stop: () => Promise<void>
}

/**
 * Every message the job sent its app (its whole webhook feed) held to the webhook seed's table: one line
 * per departure (none: every one conforms). A job whose API no longer answers has nothing to say.
 */
const seedDepartures = async (url: string, token: string): Promise<ReadonlyArray<string>> => {
  const departures: Array<string> = []
  // The feed lists each message once, each subject's in its sequence.
  const seen = new Set<string>()
  const sequenceOf = new Map<string, number>()
  // A stream's start is listed before its end (ingest, HLS, a composer's beam: per session; a relay may
  // start again in a session after its owner stopped it).
  const ended = new Set<string>()
  const isRelay = (data: Record<string, unknown>) =>
    data["beam_id"] != null && data["beam_id"] !== data["livestream_id"]
  const streamOf = (message: { type: string; data: Record<string, unknown> }) =>
    `${message.type.split(".")[0]}:${String(message.data["beam_id"] ?? "")}:${String(message.data["session_id"] ?? message.data["stream_id"])}`
  let cursor = "0"
  for (;;) {
    const response = await fetch(
      `${url}/accounts/${ACCOUNT}/realtime/kit/${APP}/webhooks/events?after=${cursor}&limit=1000`,
      {
        headers: { authorization: `Bearer ${token}` }
      }
    )
    if (response.status !== 200) return departures
    const page = ((await response.json()) as any).data as {
      events: ReadonlyArray<{
        id: string
        type: string
        sequence: number
        template_id?: unknown
        data: Record<string, unknown>
      }>
      next_cursor: string
    }
    for (const message of page.events) {
      const problems = [
        ...seedConformance(message.type, message.data),
        ...(message.template_id === undefined ? ["template_id: missing from the envelope"] : [])
      ]
      if (seen.has(message.id)) problems.push("listed twice in the feed")
      seen.add(message.id)
      const subject = subjectOf(message)
      if ((sequenceOf.get(subject) ?? 0) >= message.sequence)
        problems.push(`sequence ${message.sequence} listed after ${sequenceOf.get(subject)}`)
      sequenceOf.set(subject, message.sequence)
      const started = /^(ingest\.start|hls\.started|beam\.started)\.success$/.test(message.type)
      const stopped = /^(ingest\.end|hls\.stopped|beam\.stopped)\.success$/.test(message.type)
      if (stopped && !isRelay(message.data)) ended.add(streamOf(message))
      if (started && ended.has(streamOf(message))) problems.push("listed after the end of its stream")
      for (const problem of problems) departures.push(`${message.type} ${message.id}: ${problem}`)
      // A tally of what was sent and how it fared, for a measurement across suites (one JSON line each).
      const tally = process.env["ONAIR_WEBHOOK_TALLY"]
      if (tally !== undefined) Fs.appendFileSync(tally, `${JSON.stringify({ type: message.type, problems })}\n`)
    }
    if (page.events.length === 0 || page.next_cursor === cursor) return departures
    cursor = page.next_cursor
  }
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
  // A job on the embedded store starts from the initialised template (the job itself still migrates it).
  if (env["DATABASE_URL"] === undefined || env["DATABASE_URL"] === "") await seedEmbeddedDatabase(dataDir)
  const adminToken = `admin-${Math.random().toString(36).slice(2)}-${Date.now()}`
  const metricsToken = env["ONAIR_METRICS_TOKEN"] ?? `metrics-${Math.random().toString(36).slice(2)}-${Date.now()}`
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
      ONAIR_METRICS_TOKEN: metricsToken,
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
    metricsToken,
    settled: async () => {
      await waitFor("the job caught up with its log", async () => {
        const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })
        const text = await response.text()
        const figure = (pattern: RegExp) => {
          const found = pattern.exec(text)?.[1]
          if (found === undefined) throw new Error(`no ${String(pattern)} in /metrics:\n${text}`)
          return Number(found)
        }
        const behind =
          figure(/^onair_projection_lag_seconds\{consumer="catalog"\} (\S+)$/m) +
          figure(/^onair_projection_lag_seconds\{consumer="webhook-outbox"\} (\S+)$/m) +
          figure(/^onair_webhook_queue_depth (\S+)$/m)
        return behind === 0 ? true : undefined
      })
    },
    stop: async () => {
      const departures = await seedDepartures(url, token).catch(() => [])
      await stopProcess(child, { graceMillis: 15_000 })
      if (owned) Fs.rmSync(dataDir, { recursive: true, force: true })
      if (departures.length > 0)
        throw new Error(`messages the job sent depart from the webhook seed's table:\n${departures.join("\n")}`)
    }
  }
}
