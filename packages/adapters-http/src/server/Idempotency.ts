/**
 * `Idempotency-Key` on creates and starts. The key becomes the command id (scoped to the account and
 * app), so the event store stores the command once however often it is sent, even concurrently. The
 * request's digest travels in the command's metadata: a repeat with the same request is answered with the
 * resource the first one created (as it is now), and a repeat with another request is a 409.
 */
import { type AccessToken, type AppendMetadata, EventStore, originMetadata, type Timestamp } from "@onair/core"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { conflict } from "@onair/http-api"
import type { Scope } from "@onair/catalog"
import type { Handled } from "@onair/application"
import { metadataFor } from "./Requests.ts"

export interface KeyedRequest {
  readonly key: string | undefined
  /** What makes two requests the same: the endpoint and the decoded body. */
  readonly endpoint: string
  readonly body: unknown
}

const digestOf = (request: KeyedRequest) =>
  createHash("sha256").update(request.endpoint).update("\n").update(JSON.stringify(request.body)).digest("hex")

/** The command's metadata: its id from the key when there is one, with the request's digest. */
export const keyedMetadata = (
  token: AccessToken,
  scope: Scope,
  at: Timestamp,
  request: KeyedRequest
): AppendMetadata => {
  if (request.key === undefined) return metadataFor(token, at)
  const id = `idem:${scope.accountId}:${scope.appId}:${request.endpoint}:${request.key}`
  return { ...originMetadata(id, token.id, at), requestDigest: digestOf(request) }
}

/**
 * The id of the aggregate a create made: `newId`, or, when the command turned out to repeat an earlier one
 * (its idempotency key seen before), the id the first one created, read from its stream `<kind>-<id>`,
 * once the first request is known to be this same one; 409 otherwise.
 */
export const createdId = (handled: Handled, metadata: AppendMetadata, newId: string, kind: "livestream" | "meeting") =>
  Effect.gen(function* () {
    if (handled.append?.duplicate !== true) return newId
    const store = yield* EventStore
    const earlier = yield* store.findCommand(metadata.commandId).pipe(Effect.orDie)
    const stream = earlier?.streams.find((s) => s.stream.startsWith(`${kind}-`))?.stream
    if (stream === undefined) return yield* Effect.die(new Error(`the first ${metadata.commandId} created no ${kind}`))
    const first = (yield* store.readStream(stream).pipe(Effect.orDie)).events.find(
      (e) => e.metadata.commandId === metadata.commandId
    )
    if (first?.metadata.requestDigest !== metadata.requestDigest) {
      return yield* conflict("idempotency_key_reused", "this Idempotency-Key was used with another request")
    }
    return stream.slice(kind.length + 1)
  })
