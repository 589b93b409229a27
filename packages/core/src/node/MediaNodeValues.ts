/**
 * What a media node tells the control plane about itself when it registers.
 */
import { Schema } from "effect"
import { MediaNodeId } from "../Ids.ts"

/** A host (name, IPv4 or bracketed IPv6), an optional port and path; no spaces, query or fragment. */
const HOST_AND_PATH = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:\/[^\s?#]*)?$/

const Url = (schemes: ReadonlyArray<string>) =>
  Schema.String.pipe(
    Schema.check(Schema.isMaxLength(512)),
    Schema.check(
      Schema.makeFilter((url: string) =>
        schemes.some((scheme) => url.startsWith(`${scheme}://`)) &&
        HOST_AND_PATH.test(url.slice(url.indexOf("://") + 3))
          ? undefined
          : `must be a ${schemes.join(" or ")} URL`
      )
    )
  )

/** Where encoders and players reach the node. */
export const MediaNodeAddresses = Schema.Struct({
  /** The RTMP server encoders publish to, e.g. `rtmp://media-a.example.com:1935/live`. */
  rtmp: Url(["rtmp"]),
  /** The same over TLS; null when the node takes no RTMPS. */
  rtmps: Schema.NullOr(Url(["rtmps"])),
  /** Where the node serves HLS, e.g. `https://media-a.example.com/hls`. */
  playback: Url(["http", "https"])
})
export type MediaNodeAddresses = typeof MediaNodeAddresses.Type

/** How many publishers the node takes at most (placement sends no more its way). */
export const MediaNodeCapacity = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 100_000 })))

/** A region label placement can match, e.g. `eu-west`. */
export const MediaNodeRegion = Schema.String.pipe(Schema.check(Schema.isPattern(/^[a-z0-9][a-z0-9-]{0,62}$/)))
export type MediaNodeRegion = typeof MediaNodeRegion.Type

/** One run of a node's agent: a node that restarts registers with a new boot id. Short: it is part of ingest ids. */
export const MediaNodeBootId = Schema.String.pipe(Schema.check(Schema.isPattern(/^[A-Za-z0-9_-]{8,16}$/)))

/** The node the all-in-one main job runs beside its API, unless told another name. */
export const LOCAL_MEDIA_NODE = MediaNodeId.make("local")

/**
 * A connection's ingest id on a media node: `<node>.<boot>.<nginx run>.<client id>`. The control plane
 * makes it, so a node only ever names its own connections, and one boot's are told from the next's.
 */
export const nodeIngestId = (nodeId: string, bootId: string, run: string, clientId: string): string =>
  `${nodeId}.${bootId}.${run}.${clientId}`

/** The prefix of every ingest id of one boot of a node. */
export const bootIngestPrefix = (nodeId: string, bootId: string): string => `${nodeId}.${bootId}.`

/** The node an ingest id names (the part before its first dot). */
export const nodeOfIngest = (ingestId: string): string => ingestId.slice(0, Math.max(ingestId.indexOf("."), 0))
