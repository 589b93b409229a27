/**
 * WebRTC playback (WHEP, RFC 9725's playback sibling) of a `realtime` livestream, at its `whep_url`
 * (`<playback base>/<livestream id>/whep`), beside its HLS:
 *
 * - `POST` takes the player's SDP offer (`application/sdp`, up to 64 KiB) and answers 201 with the SDP
 *   answer, which carries every ICE candidate (no trickle), and a `Location` (`whep/<resource>`, relative
 *   to the offer's URL) to end the playback with;
 * - `DELETE <whep_url>/<resource>` ends it; `PATCH` there (trickle, ICE restart) answers 405.
 *
 * A broadcast served by another node is redirected there (307: the offer is sent again, as it was), so
 * the API's `/hls` or a load balancer in front of every node can be the one public address; a `DELETE`
 * sent to the first address is redirected the same way.
 *
 * Errors come in the API's envelope: 400 an unusable offer, 413 one larger than 64 KiB, 415 not SDP,
 * 404 not live, not `realtime`, WHEP off or no such viewer, 503 with `Retry-After` when the node has as
 * many viewers (or offers being answered) as it takes. Any origin may play: the playback routes' CORS
 * answers preflights and shows players `Location`.
 */
import type { LivestreamId, SessionId } from "@onair/core"
import { ByteSize, Effect, Layer, Option } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import * as PlaybackLocation from "./PlaybackLocation.ts"
import { CORS, PLAYBACK_PATH } from "./PlaybackLocation.ts"
import type { WhepFanOut } from "./WhepFanOut.ts"
import type { WhepViewers } from "./WhepViewers.ts"
import { MAX_OFFER_BYTES } from "./WhipSdp.ts"

const RESOURCE = /^[0-9a-f]{32}$/

const failure = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.jsonUnsafe(
    { success: false, errors: [{ code, message }] },
    { status, headers: { ...CORS, ...headers } }
  )

const notLive = failure(404, "not_found", "this livestream is not live")
const unavailable = failure(503, "unavailable", "playback is unavailable for a moment", { "retry-after": "2" })

/** How sessions play over WebRTC on this node (`Packagers.whepOf`). */
export type WhepSources = (sessionId: SessionId) => WhepFanOut | null | undefined

/** What a node answers WHEP with: its viewers, and how its sessions play over WebRTC. */
export interface WhepNode {
  readonly viewers: WhepViewers["Service"]
  readonly sources: WhepSources
}

type Locate = ReturnType<typeof PlaybackLocation.locator>

const offer = (locate: Locate, node: WhepNode | null) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const { livestream_id } = yield* HttpRouter.params
    const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
    if (type !== "application/sdp")
      return failure(415, "unsupported_media_type", "content-type: an SDP offer is application/sdp")
    const found = yield* locate(livestream_id)
    if (found._tag === "Elsewhere") return found.answer
    if (found._tag === "Unavailable") return unavailable
    if (found._tag === "NotLive" || node === null) return notLive
    const source = node.sources(found.session.sessionId)
    if (source === null || (source === undefined && found.session.latencyMode !== "realtime")) {
      return failure(
        404,
        "not_found",
        "this livestream does not play over WebRTC: its latency_mode is not realtime (play its playback_url)"
      )
    }
    if (source === undefined) {
      // Realtime, live, and no source here yet: its first seconds, or a mode changed during the broadcast.
      return failure(
        503,
        "unavailable",
        "this broadcast's WebRTC source is not running yet (a change of latency_mode takes effect from the next broadcast)",
        { "retry-after": "2" }
      )
    }
    // Checked by its declared length before the body is read, and again on what was read (chunked).
    const tooLarge = failure(413, "payload_too_large", `body: an offer is at most ${MAX_OFFER_BYTES} bytes`)
    if (!(Number(request.headers["content-length"] ?? "0") <= MAX_OFFER_BYTES)) return tooLarge
    const sdp = yield* Effect.orElseSucceed(request.text, () => null)
    if (sdp === null || Buffer.byteLength(sdp) > MAX_OFFER_BYTES) return tooLarge
    const address = Option.getOrElse(request.remoteAddress, () => "")
    return yield* node.viewers.play(found.session.sessionId, source, sdp, address).pipe(
      Effect.map(({ resourceId, answer }) =>
        HttpServerResponse.text(answer, {
          status: 201,
          contentType: "application/sdp",
          headers: { ...CORS, location: `whep/${resourceId}` }
        })
      ),
      Effect.catchTags({
        WhepOff: () =>
          Effect.succeed(failure(404, "not_found", "WebRTC playback is off on this media node (ONAIR_WHEP)")),
        WhepBusy: (error) => Effect.succeed(failure(503, "unavailable", error.message, { "retry-after": "5" })),
        WhepBadOffer: (error) => Effect.succeed(failure(400, "invalid_offer", error.message))
      })
    )
  }).pipe(Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(MAX_OFFER_BYTES)))

const end = (locate: Locate, node: WhepNode | null) =>
  Effect.gen(function* () {
    const { livestream_id, resource } = yield* HttpRouter.params
    if (resource === undefined || !RESOURCE.test(resource)) return failure(404, "not_found", "no such WHEP viewer")
    if (node !== null && (yield* node.viewers.end(resource))) {
      return HttpServerResponse.empty({ status: 200, headers: CORS })
    }
    // Not a viewer of this node: the node serving the broadcast may have it.
    const found = yield* locate(livestream_id as LivestreamId | undefined)
    if (found._tag === "Elsewhere") return found.answer
    return failure(404, "not_found", "no such WHEP viewer")
  })

const noPatch = Effect.succeed(
  failure(405, "method_not_allowed", "this server takes no trickled candidates and no ICE restart", { allow: "DELETE" })
)

/**
 * The WHEP routes: answered by `node` for the broadcasts it serves; on an API with no node beside it
 * (`node` null), every offer and end is redirected to the node serving the broadcast.
 */
export const layer = (options: {
  readonly lookup: PlaybackLocation.PlaybackLookup
  readonly local: PlaybackLocation.LocalNode | null
  readonly node: WhepNode | null
}) => {
  const locate = PlaybackLocation.locator(options.lookup, options.local, 307)
  return Layer.mergeAll(
    HttpRouter.add("POST", `${PLAYBACK_PATH}/:livestream_id/whep`, offer(locate, options.node)),
    HttpRouter.add("DELETE", `${PLAYBACK_PATH}/:livestream_id/whep/:resource`, end(locate, options.node)),
    HttpRouter.add("PATCH", `${PLAYBACK_PATH}/:livestream_id/whep/:resource`, noPatch)
  )
}
