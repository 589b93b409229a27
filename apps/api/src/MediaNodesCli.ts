/**
 * `onair media-nodes credential <node id>` prints the credential a media node of its own presents
 * (`ONAIR_NODE_CREDENTIAL`), made from the deployment's `ONAIR_MEDIA_NODE_SECRET`; nothing is stored.
 * `onair media-nodes new-secret` prints a new node secret.
 */
import { NodeCredentials } from "@onair/adapters-media"
import { MediaNodeId } from "@onair/core"
import { Effect, Option, Schema } from "effect"
import { randomBytes } from "node:crypto"

export const USAGE = `usage: onair media-nodes credential <node id>
       onair media-nodes new-secret`

export type MediaNodesCommand =
  | { readonly _tag: "credential"; readonly nodeId: MediaNodeId }
  | { readonly _tag: "new-secret" }

const isNodeId = Schema.is(MediaNodeId)

export const parse = (args: ReadonlyArray<string>): MediaNodesCommand | string => {
  if (args.length === 1 && args[0] === "new-secret") return { _tag: "new-secret" }
  if (args.length === 2 && args[0] === "credential") {
    return isNodeId(args[1]) ? { _tag: "credential", nodeId: args[1] } : `not a node id (a DNS label): ${args[1]}`
  }
  return `unknown command ${args.join(" ") || "(none)"}`
}

export const run = (command: MediaNodesCommand) =>
  Effect.gen(function* () {
    if (command._tag === "new-secret") return randomBytes(32).toString("base64url")
    const secret = yield* NodeCredentials.secretFromEnv
    if (Option.isNone(secret)) return yield* Effect.die(new Error("ONAIR_MEDIA_NODE_SECRET is not set"))
    return NodeCredentials.issue(secret.value, command.nodeId)
  })
