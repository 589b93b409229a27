/**
 * WHIP (RFC 9725) on the node's HTTP port, beside HLS playback.
 *
 * - `POST /whip/<stream key>` (or `POST /whip` with the key as a bearer token) takes an SDP offer
 *   (`application/sdp`, up to 64 KiB). It answers 201 with the SDP answer, which carries every ICE
 *   candidate (no trickle), and a `Location` to end the publish with.
 * - `DELETE /whip/sessions/<id>` ends it.
 * - `PATCH` there (trickle, ICE restart) answers 405.
 *
 * Errors come in the API's envelope:
 * - 400: the offer is unusable (more than one video or audio section, another kind of section, no H.264);
 * - 413: the body is larger than 64 KiB (checked before it is read);
 * - 401: no key;
 * - 403: the publish is refused, with the reason an RTMP publish gets;
 * - 404: WHIP is off, or no such publish;
 * - 415: not SDP;
 * - 503 with `Retry-After`: no media server, no room for another publisher, or as many offers being
 *   decided as the node (or the client's address) may have at once.
 *
 * Browsers on other origins may publish: CORS allows any origin and shows them `Location`.
 */
import { ByteSize, Effect, Layer, Option } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { WhipPublishers } from "./WhipPublishers.ts"
import { MAX_OFFER_BYTES } from "./WhipSdp.ts"

export const WHIP_PATH = "/whip"

const RESOURCE = /^[0-9a-f]{32}$/

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, DELETE, PATCH, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, if-match",
  "access-control-expose-headers": "location, etag, link",
  "access-control-max-age": "86400"
}

const failure = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.jsonUnsafe(
    { success: false, errors: [{ code, message }] },
    { status, headers: { ...CORS, ...headers } }
  )

/** `text` percent-decoded, or as it is when it is not valid percent-encoding (no key has a `%` anyway). */
const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The key from the path, else from `Authorization: Bearer`. */
const keyOf = (request: HttpServerRequest.HttpServerRequest, fromPath: string | undefined): string | undefined => {
  if (fromPath !== undefined && fromPath !== "") return decoded(fromPath)
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers["authorization"] ?? "")
  return bearer?.[1]
}

const offer = (publishers: WhipPublishers["Service"]) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const { key: fromPath } = yield* HttpRouter.params
    const key = keyOf(request, fromPath)
    if (key === undefined)
      return failure(401, "unauthorized", "key: give the stream key in the path (/whip/<key>) or as a bearer token")
    const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
    if (type !== "application/sdp")
      return failure(415, "unsupported_media_type", "content-type: an SDP offer is application/sdp")
    // The size is checked before the body is read (by its declared length) and again on what was read (a
    // chunked body declares none): nothing larger than an offer reaches the parser.
    const tooLarge = failure(413, "payload_too_large", `body: an offer is at most ${MAX_OFFER_BYTES} bytes`)
    const declared = Number(request.headers["content-length"] ?? "0")
    if (!(declared <= MAX_OFFER_BYTES)) return tooLarge
    const sdp = yield* Effect.orElseSucceed(request.text, () => null)
    if (sdp === null || Buffer.byteLength(sdp) > MAX_OFFER_BYTES) return tooLarge
    const address = Option.getOrElse(request.remoteAddress, () => "")
    return yield* publishers.publish(key, sdp, address).pipe(
      Effect.map(({ resourceId, answer }) =>
        HttpServerResponse.text(answer, {
          status: 201,
          contentType: "application/sdp",
          headers: { ...CORS, location: `${WHIP_PATH}/sessions/${resourceId}` }
        })
      ),
      Effect.catchTags({
        WhipOff: () => Effect.succeed(failure(404, "not_found", "WHIP is off on this media node (ONAIR_WHIP)")),
        WhipBusy: (error) => Effect.succeed(failure(503, "unavailable", error.message, { "retry-after": "5" })),
        WhipBadOffer: (error) => Effect.succeed(failure(400, "invalid_offer", error.message)),
        WhipRefused: (error) => Effect.succeed(failure(403, "publish_refused", `publish refused: ${error.reason}`))
      })
    )
  }).pipe(Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(MAX_OFFER_BYTES)))

const end = (publishers: WhipPublishers["Service"]) =>
  Effect.gen(function* () {
    const { resource } = yield* HttpRouter.params
    if (resource === undefined || !RESOURCE.test(resource) || !(yield* publishers.end(resource))) {
      return failure(404, "not_found", "no such WHIP publish")
    }
    return HttpServerResponse.empty({ status: 200, headers: CORS })
  })

const noPatch = Effect.succeed(
  failure(405, "method_not_allowed", "this server takes no trickled candidates and no ICE restart", { allow: "DELETE" })
)
const preflight = Effect.succeed(
  HttpServerResponse.empty({ status: 204, headers: { ...CORS, "accept-post": "application/sdp" } })
)

/** The routes, answered by the node's `WhipPublishers`. */
export const layer = Layer.unwrap(
  Effect.map(Effect.service(WhipPublishers), (publishers) =>
    Layer.mergeAll(
      HttpRouter.add("POST", WHIP_PATH, offer(publishers)),
      HttpRouter.add("POST", `${WHIP_PATH}/:key`, offer(publishers)),
      HttpRouter.add("DELETE", `${WHIP_PATH}/sessions/:resource`, end(publishers)),
      HttpRouter.add("PATCH", `${WHIP_PATH}/sessions/:resource`, noPatch),
      HttpRouter.add("OPTIONS", `${WHIP_PATH}/*`, preflight)
    )
  )
)
