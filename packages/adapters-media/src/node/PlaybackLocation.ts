/**
 * Where a player's request for a livestream is answered: here, when this node serves the broadcast the
 * livestream has media for now (connected, or waiting for its encoder); elsewhere, with a redirect to the
 * playback address of the node that serves it (the rest of the path kept); or nowhere, when it is not live.
 * HLS redirects with 302; WebRTC's offers and ends with 307, which keeps their method and body.
 */
import type { LivestreamId } from "@onair/core"
import { Effect } from "effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import type { MediaControlUnavailable, PlaybackSession } from "../protocol/MediaControl.ts"

export const PLAYBACK_PATH = "/hls"

/** Where the broadcast a livestream has media for now is, if anywhere. */
export type PlaybackLookup = (
  livestreamId: LivestreamId,
  withHealth: boolean
) => Effect.Effect<PlaybackSession | null, MediaControlUnavailable>

/** The node serving here: its id, HLS folder and ladders' folder; null on an API with no media node beside it. */
export interface LocalNode {
  readonly nodeId: string
  readonly hlsDir: string
  readonly abrDir: string
}

/** Every playback answer allows any origin, for browser players. */
export const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, POST, DELETE, PATCH, OPTIONS",
  "access-control-allow-headers": "range, content-type, authorization, if-match",
  "access-control-expose-headers": "location, etag, link, retry-after",
  "access-control-max-age": "86400"
}

export type Located =
  | {
      readonly _tag: "Here"
      readonly session: PlaybackSession
      readonly hlsDir: string
      readonly abrDir: string
    }
  | { readonly _tag: "Elsewhere"; readonly answer: HttpServerResponse.HttpServerResponse }
  | { readonly _tag: "NotLive" }
  | { readonly _tag: "Unavailable" }

/** Locates a livestream's broadcast for the request being answered, redirecting with `redirect`. */
export const locator =
  (lookup: PlaybackLookup, local: LocalNode | null, redirect: 302 | 307) =>
  (livestreamId: string | undefined, withHealth = false) =>
    Effect.gen(function* () {
      if (livestreamId === undefined) return { _tag: "NotLive" } as Located
      const session = yield* lookup(livestreamId as LivestreamId, withHealth)
      if (session === null) return { _tag: "NotLive" } as Located
      if (local !== null && session.nodeId === local.nodeId) {
        return { _tag: "Here", session, hlsDir: local.hlsDir, abrDir: local.abrDir } as Located
      }
      if (session.playbackBase === null) return { _tag: "NotLive" } as Located
      const request = yield* HttpServerRequest.HttpServerRequest
      const rest = new URL(request.url, "http://playback").pathname.slice(`${PLAYBACK_PATH}/${livestreamId}`.length)
      const location = `${session.playbackBase.replace(/\/+$/, "")}/${livestreamId}${rest}`
      return {
        _tag: "Elsewhere",
        answer: HttpServerResponse.empty({ status: redirect, headers: { ...CORS, location } })
      } as Located
    }).pipe(Effect.catchTag("MediaControlUnavailable", () => Effect.succeed({ _tag: "Unavailable" } as Located)))
