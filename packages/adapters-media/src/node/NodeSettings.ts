/**
 * How a media node of its own reaches the control plane, from the environment:
 *
 * | variable | meaning |
 * | --- | --- |
 * | `ONAIR_CONTROL_URL` | the control plane's base URL (an API replica, or a load balancer in front of them) |
 * | `ONAIR_NODE_CREDENTIAL` | the node's credential (`onair media-nodes credential <node id>` on the control plane) |
 * | `ONAIR_NODE_ID` | optional: the node id, which must be the one the credential names |
 */
import type { MediaNodeId } from "@onair/core"
import { Config, Effect, Option, Redacted } from "effect"
import type { RemoteSettings } from "./RemoteMediaControl.ts"

const NODE_OF_CREDENTIAL = /^onair_node_([a-z0-9-]{1,63})_[A-Za-z0-9_-]{43}$/

export const fromEnv = Effect.gen(function* () {
  const controlUrl = yield* Config.String("ONAIR_CONTROL_URL")
  if (!/^https?:\/\/[^\s/?#]+/.test(controlUrl)) {
    return yield* Effect.die(new Error("ONAIR_CONTROL_URL must be an http(s) URL of the control plane"))
  }
  const credential = Redacted.value(yield* Config.Redacted("ONAIR_NODE_CREDENTIAL"))
  const named = NODE_OF_CREDENTIAL.exec(credential)?.[1]
  if (named === undefined) return yield* Effect.die(new Error("ONAIR_NODE_CREDENTIAL is not a media node credential"))
  const configured = yield* Config.option(Config.String("ONAIR_NODE_ID"))
  if (Option.isSome(configured) && configured.value !== named) {
    return yield* Effect.die(new Error(`ONAIR_NODE_ID is ${configured.value}, but the credential is node ${named}'s`))
  }
  return { controlUrl, credential, nodeId: named as MediaNodeId } satisfies RemoteSettings
})
