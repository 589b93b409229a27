/**
 * Media node credentials: `onair_node_<node id>_<mac>`, where the MAC is HMAC-SHA256 of the node id under
 * the deployment's node secret (`ONAIR_MEDIA_NODE_SECRET`). The control plane stores nothing per node and
 * checks a credential in constant time; a credential acts for the node it names and no other. Rotating the
 * secret revokes every credential at once.
 */
import { sameSecret } from "@onair/secrets"
import { type MediaNodeId, MediaNodeId as MediaNodeIdSchema } from "@onair/core"
import { Config, Effect, Option, Redacted, Schema } from "effect"
import { createHmac } from "node:crypto"

const CREDENTIAL = /^onair_node_([a-z0-9-]{1,63})_([A-Za-z0-9_-]{43})$/
const isNodeId = Schema.is(MediaNodeIdSchema)

/** Shorter secrets are refused: the credentials would be guessable. */
export const MIN_SECRET_LENGTH = 32

const mac = (secret: string, nodeId: string) =>
  createHmac("sha256", secret).update(`onair media node ${nodeId}`).digest("base64url")

/** The credential of node `nodeId` under `secret`. */
export const issue = (secret: string, nodeId: MediaNodeId): string => `onair_node_${nodeId}_${mac(secret, nodeId)}`

/** The node a bearer string is a credential of, if it is one. */
export const verify = (secret: string, bearer: string): MediaNodeId | undefined => {
  const match = CREDENTIAL.exec(bearer)
  if (match === null || !isNodeId(match[1])) return undefined
  return sameSecret(match[2]!, mac(secret, match[1])) ? match[1] : undefined
}

/** The node secret, if the deployment has one (media nodes of their own are off without it). */
export const secretFromEnv = Effect.gen(function* () {
  const secret = yield* Config.option(Config.Redacted("ONAIR_MEDIA_NODE_SECRET"))
  if (Option.isNone(secret) || Redacted.value(secret.value) === "") return Option.none<string>()
  const value = Redacted.value(secret.value)
  if (value.length < MIN_SECRET_LENGTH) {
    return yield* Effect.die(new Error(`ONAIR_MEDIA_NODE_SECRET must be at least ${MIN_SECRET_LENGTH} characters`))
  }
  return Option.some(value)
})
