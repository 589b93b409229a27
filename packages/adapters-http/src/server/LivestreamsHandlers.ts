/**
 * The livestream endpoints: commands through the command path, reads from the catalog's tables after the
 * command's own transaction is in them.
 */
import { CatalogReads, HealthHistoryReads, type Page } from "@onair/catalog"
import {
  activeSessionRecord,
  createdLivestreamRecord,
  currentSessionId,
  isSessionOpen,
  ingestSessionStatus,
  liveEventStatus,
  MediaPlane,
  type PublicUrls,
  type Timestamp,
  type Livestream,
  LivestreamId,
  type Session,
  livestreamRecord,
  SessionId,
  type Signal,
  sessionRecord
} from "@onair/core"
import { Effect, Schema } from "effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import {
  badRequest,
  EmptyLivestreamPage,
  LivestreamDetail,
  LivestreamPage,
  MAX_HEALTH_SAMPLES,
  notFound,
  Ok,
  OnAirApi,
  type Paging
} from "@onair/http-api"
import { type LivestreamParams, makeManage, newStreamKey } from "./ManageHandlers.ts"
import { createdId, keyedMetadata } from "./Idempotency.ts"
import { authorize, authorizeLivestream, now, preEncoded, timeParam } from "./Requests.ts"
import { BroadcastLimitsConfig, SrtPortCommands } from "@onair/application"
import { makeRunCommand } from "./RunCommand.ts"
import { releaseSrtPort } from "./SrtPortRelease.ts"
import { ListAnswers, listAnswerKey } from "./ListAnswers.ts"
import { LivestreamUrls } from "./LivestreamUrls.ts"

export const DEFAULT_PER_PAGE = 10
export const DEFAULT_RECONNECT_WINDOW_SECONDS = 60
/** The seed's paging object for a page read from the catalog (offsets 1-based, 0 for an empty page). */
export const pagingOf = <A>(page: Page<A>, pageNo: number, perPage: number): Paging => {
  const start = (pageNo - 1) * perPage
  return {
    start_offset: page.items.length === 0 ? 0 : start + 1,
    end_offset: page.items.length === 0 ? 0 : start + page.items.length,
    total_count: page.total
  }
}

/** The livestream detail's body: the livestream and a page of its sessions, newest first. */
export const detailBody = (
  sessionsPage: Page<Session>,
  livestream: Livestream,
  pageNo: number,
  perPage: number,
  at: Timestamp,
  urls: PublicUrls
): typeof LivestreamDetailOk.Type => {
  const paging = pagingOf(sessionsPage, pageNo, perPage)
  const sessions = sessionsPage.items.map((session) => sessionRecord(session, at))
  return {
    success: true as const,
    data: {
      livestream: livestreamRecord(livestream, urls),
      paging,
      ...(sessions[0] === undefined ? {} : { session: sessions[0] }),
      sessions
    }
  }
}

const LivestreamDetailOk = Ok(LivestreamDetail)

export const LivestreamsHandlers = HttpApiBuilder.group(
  OnAirApi,
  "livestreams",
  Effect.fn(function* (handlers) {
    const runCommand = yield* makeRunCommand
    const catalog = yield* CatalogReads
    const srtPorts = yield* SrtPortCommands
    const healthHistory = yield* HealthHistoryReads
    const urls = yield* LivestreamUrls
    const listAnswers = yield* ListAnswers
    const limits = yield* BroadcastLimitsConfig
    const { manage, manageRecord } = yield* makeManage
    const mediaPlane = yield* MediaPlane

    /** The caller's livestream with its current (or last) session and that session's publisher. */
    const broadcastOf = (params: LivestreamParams) =>
      Effect.gen(function* () {
        const { livestream } = yield* authorizeLivestream(params)
        const session = (yield* catalog.currentOrLastSession(livestream)) ?? null
        const ingest = session?.ingestId == null ? null : ((yield* catalog.ingest(session.ingestId)) ?? null)
        return { livestream, session, ingest, mediaReady: yield* mediaPlane.accepting }
      })

    return handlers
      .handle("createIndependentLivestream", ({ params, payload, headers }) =>
        Effect.gen(function* () {
          const { token, scope } = yield* authorize(params)
          const at = yield* now
          const metadata = keyedMetadata(token, scope, at, {
            key: headers["idempotency-key"],
            endpoint: "createIndependentLivestream",
            body: payload
          })
          const newId = LivestreamId.make(crypto.randomUUID())
          const handled = yield* runCommand(
            {
              _tag: "CreateLivestream",
              livestreamId: newId,
              at,
              ...scope,
              name: payload.name ?? null,
              meetingId: null,
              videoConfig: null,
              streamKey: newStreamKey(),
              reconnectWindowSeconds: DEFAULT_RECONNECT_WINDOW_SECONDS,
              limits,
              sessionId: SessionId.make(crypto.randomUUID()),
              ...(payload.record === undefined ? {} : { record: payload.record }),
              ...(payload.renditions === undefined ? {} : { renditions: payload.renditions }),
              ...(payload.latency_mode === undefined ? {} : { latencyMode: payload.latency_mode }),
              ...(payload.dvr_window_seconds === undefined ? {} : { dvrWindowSeconds: payload.dvr_window_seconds }),
              ...(payload.media_node == null && payload.region == null
                ? {}
                : { placement: { node: payload.media_node ?? null, region: payload.region ?? null } })
            },
            metadata
          )
          const livestreamId = LivestreamId.make(yield* createdId(handled, metadata, newId, "livestream"))
          const livestream = yield* catalog.livestream(scope, livestreamId)
          if (livestream === undefined)
            return yield* Effect.die(new Error("a created livestream is not in the catalog"))
          return { success: true as const, data: createdLivestreamRecord(livestream, urls.of(livestream)) }
        })
      )
      .handle("getAllLivestreams", ({ params, query }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          const from = yield* timeParam("start_time", query.start_time)
          const to = yield* timeParam("end_time", query.end_time)
          const pageNo = query.page_no ?? 1
          const perPage = query.per_page ?? DEFAULT_PER_PAGE
          const filter = {
            status: query.status,
            excludeMeetings: query.exclude_meetings === "true",
            from,
            to,
            order: query.sort_order ?? "DSC",
            search: query.search,
            pageNo,
            perPage
          } as const
          const found = yield* catalog.livestreams(scope, filter)
          // The answer is a function of the page alone (ListAnswers): built once per page, then reused.
          const request = yield* HttpServerRequest.HttpServerRequest
          const key = listAnswerKey(scope.accountId, scope.appId, request.url)
          const known = listAnswers.recall(key)
          if (known !== undefined && known.page === found) return known.response
          const paging = pagingOf(found, pageNo, perPage)
          const livestreams = found.items.map((livestream) => livestreamRecord(livestream, urls.of(livestream)))
          const first = livestreams[0]
          const response = preEncoded(Ok(Schema.Union([LivestreamPage, EmptyLivestreamPage])), {
            success: true as const,
            data: first === undefined ? { paging, livestreams } : { ...first, paging, livestreams }
          })
          listAnswers.remember(key, { filter, page: found, response })
          return response
        })
      )
      .handle("getLivestreamSessionDetailsForSessionId", ({ params }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          const session = yield* catalog.session(scope, params.session_id)
          if (session === undefined) return yield* notFound(`session ${params.session_id}`)
          return { success: true as const, data: sessionRecord(session, yield* now) }
        })
      )
      .handle("getLivestreamSessionHealth", ({ params, query }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          const session = yield* catalog.session(scope, params.session_id)
          if (session === undefined) return yield* notFound(`session ${params.session_id}`)
          const samples = yield* healthHistory.samples(session.id, query.limit ?? MAX_HEALTH_SAMPLES)
          return {
            success: true as const,
            data: {
              session_id: session.id,
              samples: samples.map((sample) => ({
                sampled_at: new Date(sample.at).toISOString(),
                resolution: `${sample.width}x${sample.height}`,
                video_bitrate: sample.videoBitrate,
                audio_bitrate: sample.audioBitrate,
                video_fps: sample.videoFps,
                keyframe_interval: sample.keyframeInterval
              }))
            }
          }
        })
      )
      .handle("getActiveLivestreamsForLivestreamId", ({ params }) =>
        Effect.gen(function* () {
          const { scope, livestream } = yield* authorizeLivestream(params)
          const sessionId = currentSessionId(livestream)
          const session = sessionId === null ? undefined : yield* catalog.session(scope, sessionId)
          if (session === undefined) return yield* notFound(`an active session of livestream ${livestream.id}`)
          return {
            success: true as const,
            data: {
              livestream: livestreamRecord(livestream, urls.of(livestream)),
              session: activeSessionRecord(session, yield* now)
            }
          }
        })
      )
      .handle("getLivestreamSessionForLivestreamId", ({ params, query }) =>
        Effect.gen(function* () {
          const { livestream } = yield* authorizeLivestream(params)
          const pageNo = query.page_no ?? 1
          const perPage = query.per_page ?? DEFAULT_PER_PAGE
          const sessions = yield* catalog.sessionsOf(livestream.id, { pageNo, perPage })
          return preEncoded(
            LivestreamDetailOk,
            detailBody(sessions, livestream, pageNo, perPage, yield* now, urls.of(livestream))
          )
        })
      )
      .handle("updateLivestream", ({ params, payload }) => {
        const placed = payload.media_node !== undefined || payload.region !== undefined
        if (
          payload.name === undefined &&
          payload.reconnect_window_seconds === undefined &&
          !placed &&
          payload.record === undefined &&
          payload.renditions === undefined &&
          payload.latency_mode === undefined &&
          payload.dvr_window_seconds === undefined
        ) {
          return Effect.fail(
            badRequest(
              "invalid_body",
              "name, reconnect_window_seconds, media_node, region, record, renditions, latency_mode or dvr_window_seconds: give at least one"
            )
          )
        }
        return manageRecord(
          params,
          (at, livestream): ReadonlyArray<Signal> => [
            ...(payload.name === undefined
              ? []
              : [{ _tag: "RenameLivestream" as const, livestreamId: params.livestream_id, at, name: payload.name }]),
            ...(payload.reconnect_window_seconds === undefined
              ? []
              : [
                  {
                    _tag: "SetReconnectWindow" as const,
                    livestreamId: params.livestream_id,
                    at,
                    seconds: payload.reconnect_window_seconds
                  }
                ]),
            ...(payload.record === undefined
              ? []
              : [{ _tag: "SetRecording" as const, livestreamId: params.livestream_id, at, record: payload.record }]),
            ...(payload.renditions === undefined
              ? []
              : [
                  {
                    _tag: "SetRenditions" as const,
                    livestreamId: params.livestream_id,
                    at,
                    renditions: payload.renditions
                  }
                ]),
            ...(payload.latency_mode === undefined
              ? []
              : [
                  {
                    _tag: "SetLatencyMode" as const,
                    livestreamId: params.livestream_id,
                    at,
                    latencyMode: payload.latency_mode
                  }
                ]),
            ...(payload.dvr_window_seconds === undefined
              ? []
              : [
                  {
                    _tag: "SetDvrWindow" as const,
                    livestreamId: params.livestream_id,
                    at,
                    seconds: payload.dvr_window_seconds
                  }
                ]),
            // A field left out keeps its value; null clears it.
            ...(!placed
              ? []
              : [
                  {
                    _tag: "SetPlacement" as const,
                    livestreamId: params.livestream_id,
                    at,
                    placement: {
                      node: payload.media_node === undefined ? livestream.placement.node : payload.media_node,
                      region: payload.region === undefined ? livestream.placement.region : payload.region
                    }
                  }
                ])
          ]
        )
      })
      .handle("disableLivestream", ({ params }) =>
        manageRecord(params, (at) => [
          {
            _tag: "DisableLivestream",
            livestreamId: params.livestream_id,
            at,
            reason: "requested"
          }
        ])
      )
      .handle("enableLivestream", ({ params }) =>
        manageRecord(params, (at) => [{ _tag: "EnableLivestream", livestreamId: params.livestream_id, at }])
      )
      .handle("rotateStreamKey", ({ params, query }) =>
        manageRecord(params, (at) => [
          {
            _tag: "RotateStreamKey",
            livestreamId: params.livestream_id,
            at,
            streamKey: newStreamKey(),
            ...(query.grace_seconds === undefined ? {} : { graceSeconds: query.grace_seconds })
          }
        ])
      )
      .handle("getStatus", ({ params }) => Effect.map(broadcastOf(params), liveEventStatus))
      .handle("getIngest", ({ params }) =>
        Effect.map(broadcastOf(params), (broadcast) => ({
          success: true as const,
          data: ingestSessionStatus({ ...broadcast, urls: urls.of(broadcast.livestream) })
        }))
      )
      .handle("getLivestreamThumbnail", ({ params }) =>
        Effect.gen(function* () {
          const { livestream } = yield* authorizeLivestream(params)
          if (!isSessionOpen(livestream)) return yield* notFound(`a live session of livestream ${livestream.id}`)
          // Where its player goes (its node, or the public playback base, which sends it on to its node).
          const base = urls.of(livestream).playbackBase.replace(/\/+$/, "")
          return HttpServerResponse.empty({
            status: 302,
            headers: { location: `${base}/${livestream.id}/thumbnail.jpg`, "cache-control": "no-store" }
          })
        })
      )
      .handle("deleteLivestream", ({ params }) =>
        Effect.gen(function* () {
          let srtPort: number | null = null
          yield* manage(params, (at, livestream) => {
            srtPort = livestream.srtPort
            return [{ _tag: "DeleteLivestream", livestreamId: params.livestream_id, at }]
          })
          // A deleted livestream's SRT port is free again.
          if (srtPort !== null) {
            const { token } = yield* authorize(params)
            const actor = `token:${token.id}`
            const at = yield* now
            yield* releaseSrtPort(srtPorts, params.livestream_id, srtPort, at, actor).pipe(Effect.orDie)
          }
          return { success: true as const, data: { message: `livestream ${params.livestream_id} is deleted` } }
        })
      )
  })
)
