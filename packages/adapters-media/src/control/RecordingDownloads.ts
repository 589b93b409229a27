/**
 * Where a recording's signed links (`RecordingLinks`: `/recordings/v1/<id>/<file>?expires&signature`) are
 * answered, on the API's server. The link is checked first (its signature, then its expiry: 403 either
 * way), then the recording (404 unless ready and kept), then the file is answered from where it is stored:
 *
 * - in the bucket: a redirect (302) to a GET URL the bucket signs, for at most an hour;
 * - on the embedded node's disk: the file itself, with byte ranges;
 * - on another node's disk: a redirect to that node's `/recording-files/…`, signed with a key derived from
 *   that node's credential, which the node checks (`RecordingFileRoutes`) before it answers with byte ranges.
 *
 * A VOD playlist is answered as a playlist whose segments are links of their own, with the same expiry.
 */
import { RecordingLinks, RECORDING_LINK_PATH } from "@onair/application"
import { RecordingReads } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import type { MediaNodeId, SessionId } from "@onair/core"
import { Clock, Effect, Layer, Option } from "effect"
import { HttpServerResponse } from "effect/http"
import * as Path from "node:path"
import * as NginxConfig from "../node/NginxConfig.ts"
import * as NodeCredentials from "./NodeCredentials.ts"
import { CORS, failure, playlistResponse, rewritePlaylist } from "../node/RecordingFiles.ts"
import {
  expired,
  linkParts,
  localFile,
  NODE_FILES_PATH,
  nodeFileMac,
  PLAYLIST,
  routesFor
} from "../node/RecordingFileRoutes.ts"
import { RecordingStore } from "../node/RecordingStore.ts"

/** The longest a bucket's signed URL is made for, whatever the link's expiry. */
const BUCKET_URL_SECONDS = 3600

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
