/**
 * Who a media node is, from the environment:
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `ONAIR_NODE_ID` | the host name (as a DNS label), else `local` | the node's id; unique per running node |
 * | `ONAIR_NODE_CAPACITY` | `100` | publishers it takes at most; placement sends no more its way |
 * | `ONAIR_NODE_REGION` | none | a region label placement can match |
 *
 * Its public addresses are `ONAIR_PUBLIC_RTMP_URL`, `ONAIR_PUBLIC_RTMPS_URL` and
 * `ONAIR_PUBLIC_PLAYBACK_URL` (`PublicUrlsConfig`), as for the all-in-one main job.
 */
import { LOCAL_MEDIA_NODE, MediaNodeBootId, MediaNodeCapacity, MediaNodeId, MediaNodeRegion } from "@onair/core"
import { Config, Effect, Schema } from "effect"
import { randomBytes } from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type { Registration } from "../protocol/MediaControl.ts"

const isNodeId = Schema.is(MediaNodeId)

/** The host name as a node id: lower case, anything else a dash, at most 63 characters. */
export const hostNodeId = (hostname: string): MediaNodeId => {
  const label = hostname
    .toLowerCase()
    .split(".")[0]!
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "")
  return isNodeId(label) ? label : LOCAL_MEDIA_NODE
}

/** A new boot id: 12 URL-safe characters. */
export const newBootId = (): string => randomBytes(9).toString("base64url")

export interface NodeIdentity {
  readonly nodeId: MediaNodeId
  readonly capacity: number
  readonly region: string | null
}

export const fromEnv = Effect.gen(function* () {
  const nodeId = yield* Config.schema(MediaNodeId, "ONAIR_NODE_ID").pipe(Config.withDefault(hostNodeId(Os.hostname())))
  const capacity = yield* Config.schema(MediaNodeCapacity, "ONAIR_NODE_CAPACITY").pipe(Config.withDefault(100))
  const region = yield* Config.schema(Schema.NullOr(MediaNodeRegion), "ONAIR_NODE_REGION").pipe(
    Config.withDefault(null)
  )
  return { nodeId, capacity, region } satisfies NodeIdentity
})

/** What every boot of the node registers: who it is and where encoders and players reach it. */
export const registration = (
  identity: NodeIdentity,
  urls: { readonly rtmpServer: string; readonly rtmpsServer: string; readonly playbackBase: string },
  rtmps: boolean
): Omit<Registration, "bootId" | "follows"> => ({
  addresses: { rtmp: urls.rtmpServer, rtmps: rtmps ? urls.rtmpsServer : null, playback: urls.playbackBase },
  capacity: identity.capacity,
  region: identity.region
})

const BOOT_FILE = "boot"
const isBootId = Schema.is(MediaNodeBootId)

/**
 * The boot that ran last from the media folder `dir` (null for a first start), with `bootId` written in its
 * place (owner-only) for the next one.
 */
export const followBoot = (dir: string, bootId: string) =>
  Effect.try({
    try: () => {
      Fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
      const file = Path.join(dir, BOOT_FILE)
      const previous = Fs.existsSync(file) ? Fs.readFileSync(file, "utf8").trim() : ""
      Fs.writeFileSync(file, `${bootId}\n`, { mode: 0o600 })
      return isBootId(previous) ? previous : null
    },
    catch: (cause) => new Error(`media folder unusable: ${String(cause)}`)
  })
