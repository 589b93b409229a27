/**
 * Where a recording's signed links (`RecordingLinks`: `/recordings/v1/<id>/<file>?expires&signature`) are
 * answered, on the API's server. The link is checked first (its signature, then its expiry: 403 either
 * way), then the recording (404 unless ready and kept), then the file is answered from where it is stored:
 *
 * - in the bucket: a redirect (302) to a GET URL the bucket signs, for at most an hour;
 * - on the embedded node's disk: the file itself, with byte ranges;
 * - on another node's disk: a redirect to that node's `/recording-files/…`, signed with a key derived from
 *   that node's credential, which the node checks (`nodeRoutes`) before it answers with byte ranges.
 *
 * A VOD playlist is answered as a playlist whose segments are links of their own, with the same expiry.
 */
import { sameSecret } from "@onair/secrets"
import { RecordingLinks, RECORDING_FILE, RECORDING_LINK_PATH } from "@onair/application"
import { MediaNodeRegistry, RecordingReads } from "@onair/catalog"
import type { MediaNodeId, SessionId } from "@onair/core"
import { Clock, Effect, Layer, Option } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { createHmac } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as NginxConfig from "./NginxConfig.ts"
import * as NodeCredentials from "./NodeCredentials.ts"
import { CORS, failure, playlistResponse, rewritePlaylist, serveFile } from "./RecordingFiles.ts"
import { RecordingStore } from "./RecordingStore.ts"

/** A node's own path for recording files (checked with its credential). */
export const NODE_FILES_PATH: `/${string}` = "/recording-files"
/** The longest a bucket's signed URL is made for, whatever the link's expiry. */
const BUCKET_URL_SECONDS = 3600
const PLAYLIST = "vod/index.m3u8"

/** The MAC of a node-file link: keyed by the node's credential, so only that node (and the control plane) can make it. */
export const nodeFileMac = (credential: string, recordingId: string, file: string, expires: string): string => {
  const key = createHmac("sha256", credential).update("onair recording files").digest()
  return createHmac("sha256", key).update(`${recordingId}/${file}\n${expires}`).digest("base64url")
}

/** The link's `expires` and `signature`, and the file its path names. */
const linkParts = Effect.gen(function* () {
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
const localFile = (path: string, recordingId: string, file: string, relink: (segment: string) => string) =>
  Effect.gen(function* () {
    if (file !== PLAYLIST) return yield* serveFile(path, 3600)
    const text = yield* Effect.try(() => Fs.readFileSync(path, "utf8")).pipe(Effect.orElseSucceed(() => null))
    if (text === null) return failure(404, "not_found", `no playlist in recording ${recordingId}`)
    return playlistResponse(rewritePlaylist(text, relink))
  })

const expired = (expires: string) => Effect.map(Clock.currentTimeMillis, (now) => !(Number(expires) * 1000 > now))

const routesFor = <R>(path: `/${string}`, handler: Effect.Effect<HttpServerResponse.HttpServerResponse, never, R>) =>
  Layer.mergeAll(
    HttpRouter.add("GET", `${path}/:recording_id/:file`, handler),
    HttpRouter.add("GET", `${path}/:recording_id/vod/:segment`, handler),
    HttpRouter.add("OPTIONS", `${path}/*`, HttpServerResponse.empty({ status: 204, headers: CORS }))
  )

/**
 * The control plane's answers to recording links; `local` is the embedded node (its id and media folder),
 * whose files are answered here, or null on an API with no node beside it.
 */
export const controlPlaneRoutes = (local: { readonly nodeId: MediaNodeId; readonly mediaDir: string } | null) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const links = yield* RecordingLinks
      const recordings = yield* RecordingReads
      const registry = yield* MediaNodeRegistry
      const store = yield* RecordingStore
      const secret = yield* NodeCredentials.secretFromEnv

      const handler = Effect.gen(function* () {
        const { recordingId, file, expires, signature } = yield* linkParts
        if (!links.isSigned(recordingId, file, expires, signature)) {
          return failure(
            403,
            "invalid_signature",
            "this link's signature does not match it; ask the API for a new link"
          )
        }
        if (yield* expired(expires))
          return failure(403, "link_expired", "this link has expired; ask the API for a new link")
        const recording = yield* recordings.recordingById(recordingId as SessionId)
        if (recording === undefined || recording.deletedAt !== null || recording.phase._tag !== "Ready") {
          return failure(404, "not_found", `recording ${recordingId} is not ready or no longer kept`)
        }
        const storage = recording.phase.storage
        const folder = `recordings/${recordingId}`
        const expiresAt = Number(expires) * 1000
        const relink = (segment: string) => links.link(recordingId, `vod/${segment}`, expiresAt)
        if (storage._tag === "S3") {
          if (file === PLAYLIST) {
            const text = yield* store.readText(`${folder}/${file}`)
            return playlistResponse(rewritePlaylist(text, relink))
          }
          const remaining = Math.max(1, Math.floor(expiresAt / 1000 - (yield* Clock.currentTimeMillis) / 1000))
          const location = yield* store.presign(`${folder}/${file}`, Math.min(remaining, BUCKET_URL_SECONDS))
          return HttpServerResponse.empty({ status: 302, headers: { ...CORS, location } })
        }
        if (local !== null && recording.nodeId === local.nodeId) {
          const path = Path.join(NginxConfig.paths(local.mediaDir).recordings, recordingId, file)
          return yield* localFile(path, recordingId, file, relink)
        }
        const node = yield* registry.node(recording.nodeId)
        if (node === undefined || Option.isNone(secret)) {
          return failure(503, "node_unreachable", `the media node keeping recording ${recordingId} is not known here`)
        }
        const origin = new URL(node.addresses.playback).origin
        const mac = nodeFileMac(NodeCredentials.issue(secret.value, recording.nodeId), recordingId, file, expires)
        const location = `${origin}${NODE_FILES_PATH}/${recordingId}/${file}?expires=${expires}&signature=${mac}`
        return HttpServerResponse.empty({ status: 302, headers: { ...CORS, location } })
      }).pipe(
        Effect.catch(() =>
          Effect.succeed(failure(503, "storage_unreachable", "the recording's storage did not answer; try again"))
        )
      )
      return routesFor(RECORDING_LINK_PATH, handler)
    })
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
