/**
 * Meetings and their livestreams: commands through the command path, reads from the live catalog.
 */
import { AppSettingsReads, CatalogReads, type Scope } from "@onair/catalog"
import {
  type AppendMetadata,
  livestreamRecord,
  LivestreamId,
  meetingLivestreamStartedRecord,
  MeetingId,
  meetingRecord,
  ANY_NODE,
  type Composer,
  composerCores,
  MeetingUrlCheck,
  SessionId,
  type Signal,
  type Timestamp,
  type VideoConfig
} from "@onair/core"
import type { CommandError } from "@onair/application"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { badRequest, type Conflict, conflict, type NotFound, notFound, OnAirApi, unavailable } from "@onair/http-api"
import { DEFAULT_PER_PAGE, DEFAULT_RECONNECT_WINDOW_SECONDS, pagingOf } from "./LivestreamsHandlers.ts"
import { newStreamKey } from "./ManageHandlers.ts"
import { createdId, keyedMetadata } from "./Idempotency.ts"
import { authorize, metadataFor, now } from "./Requests.ts"
import { BroadcastLimitsConfig } from "@onair/application"
import { makeRunCommand } from "./RunCommand.ts"
import { LivestreamUrls } from "./LivestreamUrls.ts"

/** Seed 001's default picture for a composed meeting. */
const DEFAULT_VIDEO: VideoConfig = { width: 1280, height: 720 }

/** An even number of pixels, for H.264's 4:2:0 pictures. */
const even = (value: number) => Math.max(16, Math.round(value / 2) * 2)

/** `video_config` made whole: one side alone makes the other 16:9, neither is 1280x720. */
export const videoSize = (config: {
  readonly width?: number | undefined
  readonly height?: number | undefined
}): VideoConfig => {
  if (config.width !== undefined && config.height !== undefined) return { width: config.width, height: config.height }
  if (config.width !== undefined) return { width: config.width, height: even((config.width * 9) / 16) }
  if (config.height !== undefined) return { width: even((config.height * 16) / 9), height: config.height }
  return DEFAULT_VIDEO
}

/** A meeting URL template with `{meeting_id}` and `{livestream_id}` filled in (URL-encoded). */
export const fillMeetingUrl = (template: string, meetingId: string, livestreamId: string): string =>
  template
    .replaceAll("{meeting_id}", encodeURIComponent(meetingId))
    .replaceAll("{livestream_id}", encodeURIComponent(livestreamId))

/** The domain refusals the meeting endpoints answer. */
const refuse = (error: CommandError): CommandError | Conflict | NotFound => {
  switch (error._tag) {
    case "MeetingNotFound":
      return notFound("meeting")
    case "MeetingInactive":
      return conflict("meeting_inactive", "the meeting is INACTIVE")
    case "MeetingLivestreamAlreadyActive":
      return conflict("livestream_already_active", "the meeting already has an active livestream")
    case "NoActiveMeetingLivestream":
      return notFound("an active livestream of the meeting")
    case "CommandOutOfOrder":
      return conflict("out_of_order", "the meeting changed after this request's time; try again")
    default:
      return error
  }
}

export const MeetingsHandlers = HttpApiBuilder.group(
  OnAirApi,
  "meetings",
  Effect.fn(function* (handlers) {
    const catalog = yield* CatalogReads
    const urls = yield* LivestreamUrls
    const appSettings = yield* AppSettingsReads
    const meetingUrls = yield* MeetingUrlCheck
    const limits = yield* BroadcastLimitsConfig
    const runCommand = yield* makeRunCommand

    const run = (signal: Signal, metadata: AppendMetadata) => runCommand(signal, metadata, refuse)

    /**
     * The composer a meeting's livestream gets: its page (the start's `meeting_url`, else the app's
     * template filled in) checked against the outbound rules, its size, and the node to run it; null when
     * there is no page (an encoder publishes to the stream key). 400 naming the field a refused page came
     * from; 503 when no media node may take it now.
     */
    const composerFor = Effect.fn("MeetingsHandlers.composerFor")(function* (
      scope: Scope,
      meetingId: MeetingId,
      livestreamId: LivestreamId,
      given: string | undefined,
      videoConfig: VideoConfig | null,
      at: Timestamp
    ) {
      const template = given === undefined ? (yield* appSettings.settings(scope, at)).meetingUrlTemplate : null
      const field = given === undefined ? "meeting_url_template" : "meeting_url"
      const page = given ?? (template === null ? null : fillMeetingUrl(template, meetingId, livestreamId))
      if (page === null) return null
      const meetingUrl = yield* meetingUrls
        .check(page)
        .pipe(Effect.mapError((refused) => badRequest("invalid_parameter", `${field}: ${refused.message}`)))
      const size = videoConfig ?? DEFAULT_VIDEO
      const cores = composerCores(size.width, size.height)
      const placed = yield* urls.composerNodeFor(ANY_NODE, cores)
      if ("refused" in placed) {
        return yield* placed.refused === "no media node"
          ? unavailable("no_media_node", "no media node can compose this meeting now; try again shortly")
          : unavailable(
              "no_composer_room",
              `no media node has room for a ${size.width}x${size.height} composer now (${cores.toFixed(2)} cores; ONAIR_COMPOSER_CPU_CORES); try again later`
            )
      }
      return { meetingUrl, width: size.width, height: size.height, node: placed.node } satisfies Composer
    })

    const meetingOf = (scope: Scope, id: MeetingId) =>
      Effect.flatMap(catalog.meeting(scope, id), (meeting) =>
        meeting === undefined ? Effect.fail(notFound(`meeting ${id}`)) : Effect.succeed(meeting)
      )

    return handlers
      .handle("createMeeting", ({ params, payload, headers }) =>
        Effect.gen(function* () {
          const { token, scope } = yield* authorize(params)
          const at = yield* now
          const metadata = keyedMetadata(token, scope, at, {
            key: headers["idempotency-key"],
            endpoint: "createMeeting",
            body: payload
          })
          const newId = MeetingId.make(crypto.randomUUID())
          const handled = yield* run(
            {
              _tag: "CreateMeeting",
              meetingId: newId,
              at,
              ...scope,
              title: payload.title ?? null,
              liveStreamOnStart: payload.live_stream_on_start ?? false,
              recordOnStart: payload.record_on_start ?? false
            },
            metadata
          )
          const meetingId = MeetingId.make(yield* createdId(handled, metadata, newId, "meeting"))
          return { success: true as const, data: meetingRecord(yield* meetingOf(scope, meetingId)) }
        })
      )
      .handle("getMeetings", ({ params, query }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          const pageNo = query.page_no ?? 1
          const perPage = query.per_page ?? DEFAULT_PER_PAGE
          const found = yield* catalog.meetings(scope, { pageNo, perPage })
          return {
            success: true as const,
            data: { paging: pagingOf(found, pageNo, perPage), meetings: found.items.map(meetingRecord) }
          }
        })
      )
      .handle("getMeeting", ({ params }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          return { success: true as const, data: meetingRecord(yield* meetingOf(scope, params.meeting_id)) }
        })
      )
      .handle("startLivestreamingAMeeting", ({ params, payload, headers }) =>
        Effect.gen(function* () {
          const { token, scope } = yield* authorize(params)
          yield* meetingOf(scope, params.meeting_id)
          const at = yield* now
          const metadata = keyedMetadata(token, scope, at, {
            key: headers["idempotency-key"],
            endpoint: `startLivestreamingAMeeting:${params.meeting_id}`,
            body: payload
          })
          const newId = LivestreamId.make(crypto.randomUUID())
          const videoConfig = payload.video_config === undefined ? null : videoSize(payload.video_config)
          const composer = yield* composerFor(scope, params.meeting_id, newId, payload.meeting_url, videoConfig, at)
          const handled = yield* run(
            {
              _tag: "StartLivestreamForMeeting",
              at,
              meetingId: params.meeting_id,
              livestreamId: newId,
              name: payload.name ?? null,
              videoConfig,
              streamKey: newStreamKey(),
              reconnectWindowSeconds: DEFAULT_RECONNECT_WINDOW_SECONDS,
              limits,
              sessionId: SessionId.make(crypto.randomUUID()),
              composer
            },
            metadata
          )
          const livestreamId = LivestreamId.make(yield* createdId(handled, metadata, newId, "livestream"))
          const livestream = yield* catalog.livestream(scope, livestreamId)
          if (livestream === undefined)
            return yield* Effect.die(new Error("a started livestream is not in the catalog"))
          return { success: true as const, data: meetingLivestreamStartedRecord(livestream, urls.of(livestream)) }
        })
      )
      .handle("stopLivestreamingAMeeting", ({ params }) =>
        Effect.gen(function* () {
          const { token, scope } = yield* authorize(params)
          yield* meetingOf(scope, params.meeting_id)
          const at = yield* now
          yield* run({ _tag: "StopLivestreamForMeeting", at, meetingId: params.meeting_id }, metadataFor(token, at))
          return { success: true as const, data: { message: "Stopped live stream successfully" } }
        })
      )
      .handle("getMeetingActiveLivestreams", ({ params }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          const meeting = yield* meetingOf(scope, params.meeting_id)
          const active =
            meeting.activeLivestreamId === null
              ? undefined
              : yield* catalog.livestream(scope, meeting.activeLivestreamId)
          if (active === undefined) return yield* notFound(`an active livestream of meeting ${meeting.id}`)
          return { success: true as const, data: livestreamRecord(active, urls.of(active)) }
        })
      )
  })
)
