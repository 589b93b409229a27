/**
 * A media node's own recording files (`/recording-files/<id>/<file>?expires&signature`): the links the
 * control plane redirects to for recordings kept on this node's disk, each signed with a key derived from
 * the node's credential (`nodeFileMac`), checked here before the file is answered with byte ranges. The
 * link's parts, expiry and routes are the control plane's `RecordingDownloads` too.
 */
import { RECORDING_FILE } from "@onair/core"
import { sameSecret } from "@onair/secrets"
import { Clock, Effect, Layer } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { createHmac } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as NginxConfig from "./NginxConfig.ts"
import { CORS, failure, playlistResponse, rewritePlaylist, serveFile } from "./RecordingFiles.ts"

/** A node's own path for recording files (checked with its credential). */
export const NODE_FILES_PATH: `/${string}` = "/recording-files"
/** A recording's VOD playlist, answered with each segment linked. */
export const PLAYLIST = "vod/index.m3u8"

/** The MAC of a node-file link: keyed by the node's credential, so only that node (and the control plane) can make it. */
export const nodeFileMac = (credential: string, recordingId: string, file: string, expires: string): string => {
  const key = createHmac("sha256", credential).update("onair recording files").digest()
  return createHmac("sha256", key).update(`${recordingId}/${file}\n${expires}`).digest("base64url")
}

/** The link's `expires` and `signature`, and the file its path names. */
export const linkParts = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const params = yield* HttpRouter.params
  const url = new URL(request.url, "http://recordings")
  const file = params["segment"] === undefined ? (params["file"] ?? "") : `vod/${params["segment"]}`
  return {
    recordingId: params["recording_id"] ?? "",
    file,
    expires: url.searchParams.get("expires") ?? "",
    signature: url.searchParams.get("signature") ?? ""
  }
})

/** A file of a recording on this machine's disk: the playlist with its segments linked by `relink`, any other as it is. */
export const localFile = (path: string, recordingId: string, file: string, relink: (segment: string) => string) =>
  Effect.gen(function* () {
    if (file !== PLAYLIST) return yield* serveFile(path, 3600)
    const text = yield* Effect.try(() => Fs.readFileSync(path, "utf8")).pipe(Effect.orElseSucceed(() => null))
    if (text === null) return failure(404, "not_found", `no playlist in recording ${recordingId}`)
    return playlistResponse(rewritePlaylist(text, relink))
  })

/** Whether a link that expires at `expires` (epoch seconds) has. */
export const expired = (expires: string) =>
  Effect.map(Clock.currentTimeMillis, (now) => !(Number(expires) * 1000 > now))

/** A link's routes under `path`: a file, a VOD segment, and CORS preflights. */
export const routesFor = <R>(
  path: `/${string}`,
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, never, R>
) =>
  Layer.mergeAll(
    HttpRouter.add("GET", `${path}/:recording_id/:file`, handler),
    HttpRouter.add("GET", `${path}/:recording_id/vod/:segment`, handler),
    HttpRouter.add("OPTIONS", `${path}/*`, HttpServerResponse.empty({ status: 204, headers: CORS }))
  )

/** A media node's answers to the links the control plane redirects to: its own files, checked with its credential. */
export const nodeRoutes = (mediaDir: string, credential: string) => {
  const handler = Effect.gen(function* () {
    const { recordingId, file, expires, signature } = yield* linkParts
    if (
      !/^\d{1,12}$/.test(expires) ||
      !RECORDING_FILE.test(file) ||
      !/^[0-9a-f-]{36}$/.test(recordingId) ||
      !sameSecret(signature, nodeFileMac(credential, recordingId, file, expires))
    ) {
      return failure(403, "invalid_signature", "this link's signature does not match it")
    }
    if (yield* expired(expires))
      return failure(403, "link_expired", "this link has expired; ask the API for a new link")
    const path = Path.join(NginxConfig.paths(mediaDir).recordings, recordingId, file)
    return yield* localFile(
      path,
      recordingId,
      file,
      (segment) =>
        `${NODE_FILES_PATH}/${recordingId}/vod/${segment}?expires=${expires}&signature=${nodeFileMac(credential, recordingId, `vod/${segment}`, expires)}`
    )
  })
  return routesFor(NODE_FILES_PATH, handler)
}
