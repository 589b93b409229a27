/**
 * The control plane's side of meeting composers: which composers a node runs (the meeting livestreams
 * placed on it whose broadcast is invoked or open, with what each needs to publish), and a node's word that
 * one cannot go on, which ends its broadcast with `internal error` and the node's message. A node speaks
 * only of composers placed on it, of the session they compose now.
 */
import { CommandHandler, currentTimestamp } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { currentSessionId, type LivestreamId, type MediaNodeId, originMetadata, type SessionId } from "@onair/core"
import { Effect } from "effect"
import type { ComposerAssignment, MediaControl } from "../protocol/MediaControl.ts"

type Reports = Pick<MediaControl["Service"], "composers" | "composerFailed">

export const make = Effect.gen(function* () {
  const catalog = yield* CatalogReads
  const commands = yield* CommandHandler

  const forNode = (nodeId: MediaNodeId): Reports => ({
    composers: Effect.fn("ComposerControl.composers")(function* () {
      const livestreams = yield* catalog.composersOn(nodeId)
      return livestreams.flatMap((livestream): ReadonlyArray<ComposerAssignment> => {
        const sessionId = currentSessionId(livestream)
        const composer = livestream.composer
        if (sessionId === null || composer === null || livestream.disabled !== null) return []
        return [
          {
            livestreamId: livestream.id,
            sessionId,
            meetingUrl: composer.meetingUrl,
            width: composer.width,
            height: composer.height,
            streamKey: livestream.streamKey
          }
        ]
      })
    }),
    composerFailed: Effect.fn("ComposerControl.composerFailed")(function* (
      livestreamId: LivestreamId,
      sessionId: SessionId,
      message: string
    ) {
      const livestream = yield* catalog.livestreamById(livestreamId)
      if (
        livestream === undefined ||
        livestream.composer?.node !== nodeId ||
        currentSessionId(livestream) !== sessionId
      ) {
        return
      }
      const at = yield* currentTimestamp
      yield* commands
        .handle(
          { _tag: "AbortBroadcast", livestreamId, at, message: `composer: ${message}` },
          originMetadata(`composer:${sessionId}:failed`, `media-node:${nodeId}`, at)
        )
        .pipe(
          Effect.asVoid,
          Effect.catch((error) =>
            Effect.logWarning(`media: composer failure of ${livestreamId} not recorded: ${error._tag}`)
          )
        )
    })
  })

  return { forNode }
})
