/**
 * The media nodes' benchmark (`pnpm bench:nodes`): a control plane (the main job with its embedded node
 * off) and two media nodes of their own (`apps/media-node`), with real ffmpeg publishers. Each figure next
 * to a baseline measured in the same run:
 *
 * 1. a node's death (SIGKILL of its process group) -> every session it held ended, over `ROUNDS` rounds
 *    with `STREAMS` publishers on it, against the lease (the promise: within it);
 * 2. a node of its own's CPU and memory (agent and nginx) with 1 and 4 streams, as a share of the
 *    encoders' own CPU, and per stream: what an ingest machine needs per stream;
 * 3. a node holding `MANY` sessions (registered and published through the node API as an agent does, no
 *    media) going silent right after a heartbeat, the worst moment -> every session ended, against the
 *    lease: how many sessions one lost node can have and still keep the promise.
 *
 * ONAIR_BENCH_SECONDS sets each CPU sample's length (default 10); ONAIR_BENCH_ONLY=deaths|resources|silent
 * runs one part; ONAIR_BENCH_NODE_SESSIONS sets the silent node's sessions (default 100).
 */
import { randomBytes } from "node:crypto"
import * as Os from "node:os"
import {
  type MainJob,
  type MediaNode,
  nodeCredential,
  publish,
  sleep,
  startMainJob,
  startMediaNode,
  waitFor
} from "@onair/test-support"
import { children, sampleCpu } from "./Processes.ts"

const SAMPLE_SECONDS = Number(process.env["ONAIR_BENCH_SECONDS"] ?? 10)
const ROUNDS = 3
const STREAMS = 2
const LEASE_SECONDS = 10
const MANY = Number(process.env["ONAIR_BENCH_NODE_SESSIONS"] ?? 100)

const secret = randomBytes(32).toString("base64url")

const create = async (job: MainJob) =>
  (await job.api("POST", "/livestreams", { name: "bench" })).body.data as { id: string; stream_key: string }
const status = async (job: MainJob, id: string) =>
  (await job.api("GET", `/livestreams/${id}`)).body.data.livestream.status as string
const ended = async (job: MainJob, id: string) =>
  (await job.api("GET", `/livestreams/${id}/ingest`)).body.data.endTime !== null

const deaths = async (job: MainJob, nodes: { a: MediaNode; b: MediaNode }) => {
  const rows: Array<number> = []
  let { a } = nodes
  const encoders: Array<ReturnType<typeof publish>> = []
  const onB = await create(job)
  encoders.push(publish(`rtmp://127.0.0.1:${nodes.b.rtmpPort}/live/${onB.stream_key}`))
  for (let round = 0; round < ROUNDS; round++) {
    const onA = await Promise.all(Array.from({ length: STREAMS }, () => create(job)))
    for (const livestream of onA) encoders.push(publish(`rtmp://127.0.0.1:${a.rtmpPort}/live/${livestream.stream_key}`))
    await waitFor(
      "A's streams LIVE",
      async () =>
        (await Promise.all(onA.map((livestream) => status(job, livestream.id)))).every((s) => s === "LIVE")
          ? true
          : undefined,
      30_000
    )
    // A random moment between two heartbeats, as a machine would die.
    await sleep(Math.random() * 2000)
    const killedAt = performance.now()
    await a.kill()
    await waitFor(
      "A's sessions to end",
      async () =>
        (await Promise.all(onA.map((livestream) => ended(job, livestream.id)))).every(Boolean) ? true : undefined,
      30_000
    )
    rows.push((performance.now() - killedAt) / 1000)
    if ((await status(job, onB.id)) !== "LIVE") throw new Error("node B's stream did not stay LIVE")
    a = await startMediaNode(job.url, secret, "node-a", { dataDir: a.dataDir })
  }
  for (const encoder of encoders) await encoder.stop()
  console.log(
    `\n## A node's death -> its sessions ended (${ROUNDS} rounds, ${STREAMS} sessions on it, another node live beside it)`
  )
  console.log("| measure | median | worst | lease | worst / lease |")
  console.log("| --- | --- | --- | --- | --- |")
  const sorted = [...rows].sort((x, y) => x - y)
  const worst = sorted[sorted.length - 1]!
  console.log(
    `| SIGKILL -> every session ended with internal error | ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} s | ${worst.toFixed(2)} s | ${LEASE_SECONDS} s | ${(worst / LEASE_SECONDS).toFixed(2)} |`
  )
  return a
}

const resources = async (job: MainJob, node: MediaNode) => {
  console.log(
    `\n## A media node of its own: CPU and memory (${SAMPLE_SECONDS} s per sample, 640x360 30 fps H.264 + AAC)`
  )
  console.log(
    "| streams | agent CPU | agent RSS | nginx CPU | nginx RSS | encoders' CPU | (agent + nginx) / encoders | per stream |"
  )
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |")
  const nginxMaster = children(node.pid).find((pid) => pid !== node.pid)
  for (const count of [1, 4]) {
    const encoders: Array<ReturnType<typeof publish>> = []
    for (let i = 0; i < count; i++) {
      const livestream = await create(job)
      encoders.push(publish(`rtmp://127.0.0.1:${node.rtmpPort}/live/${livestream.stream_key}`))
    }
    await sleep(4000)
    const nginx = nginxMaster === undefined ? [] : [nginxMaster, ...children(nginxMaster)]
    const sample = await sampleCpu(
      { agent: [node.pid], nginx, encoders: encoders.map((encoder) => encoder.pid) },
      SAMPLE_SECONDS
    )
    const plane = sample["agent"]!.cpuPercent + sample["nginx"]!.cpuPercent
    console.log(
      `| ${count} | ${sample["agent"]!.cpuPercent.toFixed(1)} % | ${sample["agent"]!.rssMb.toFixed(0)} MB | ` +
        `${sample["nginx"]!.cpuPercent.toFixed(1)} % | ${sample["nginx"]!.rssMb.toFixed(0)} MB | ` +
        `${sample["encoders"]!.cpuPercent.toFixed(1)} % | ${(plane / sample["encoders"]!.cpuPercent).toFixed(3)} | ` +
        `${(plane / count).toFixed(2)} % of a core |`
    )
    for (const encoder of encoders) await encoder.stop()
  }
}

/** A node that is only its requests: registers, publishes `MANY` times, heartbeats once, then falls silent. */
const silentNode = async (job: MainJob) => {
  const credential = await nodeCredential(secret, "node-silent")
  const call = async (operation: string, body: unknown) => {
    const response = await fetch(`${job.url}/media-nodes/v1/${operation}`, {
      method: "POST",
      headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    if (response.status !== 200) throw new Error(`${operation}: ${response.status} ${await response.text()}`)
    return ((await response.json()) as { data: any }).data
  }
  const bootId = randomBytes(9).toString("base64url")
  await call("register", {
    bootId,
    follows: null,
    addresses: { rtmp: "rtmp://127.0.0.1:1/live", rtmps: null, playback: "http://127.0.0.1:1/hls" },
    capacity: MANY,
    region: null
  })
  const livestreams = await Promise.all(Array.from({ length: MANY }, () => create(job)))
  const publishStart = performance.now()
  for (const [index, livestream] of livestreams.entries()) {
    const answer = await call("publish", {
      bootId,
      nginxRun: "0badc0de",
      clientId: String(index + 1),
      streamName: livestream.stream_key,
      address: "203.0.113.1"
    })
    if (answer._tag !== "Accepted") throw new Error(`publish refused: ${answer.reason}`)
  }
  const publishMillis = (performance.now() - publishStart) / MANY
  await call("heartbeat", { bootId, load: { streams: MANY, cpu: 0, bandwidthIn: 0, bandwidthOut: 0 } })
  const silentAt = performance.now()
  await waitFor(
    `${MANY} sessions to end`,
    async () => {
      const states = await Promise.all(livestreams.map((livestream) => status(job, livestream.id)))
      return states.every((state) => state !== "LIVE") ? true : undefined
    },
    60_000
  )
  const seconds = (performance.now() - silentAt) / 1000
  console.log(`\n## A node with ${MANY} sessions falls silent right after a heartbeat (the worst moment)`)
  console.log("| measure | OnAir | lease | ratio |")
  console.log("| --- | --- | --- | --- |")
  console.log(
    `| last heartbeat -> all ${MANY} sessions ended | ${seconds.toFixed(2)} s | ${LEASE_SECONDS} s | ${(seconds / LEASE_SECONDS).toFixed(2)} |`
  )
  console.log(`| a publish decided through the node API (sequential, mean) | ${publishMillis.toFixed(1)} ms | | |`)
}

const main = async () => {
  console.log(`# Media nodes benchmark (${Os.cpus().length} cores, ${Os.cpus()[0]?.model ?? "unknown"})`)
  const job = await startMainJob({ ONAIR_MEDIA: "off", ONAIR_MEDIA_NODE_SECRET: secret })
  const [a, b] = await Promise.all([
    startMediaNode(job.url, secret, "node-a"),
    startMediaNode(job.url, secret, "node-b")
  ])
  let restarted = a
  try {
    const only = process.env["ONAIR_BENCH_ONLY"]
    if (only === undefined || only === "deaths") restarted = await deaths(job, { a, b })
    if (only === undefined || only === "resources") await resources(job, b)
    if (only === undefined || only === "silent") await silentNode(job)
  } finally {
    await Promise.all([restarted.stop(), b.stop()])
    await job.stop()
  }
}

await main()
