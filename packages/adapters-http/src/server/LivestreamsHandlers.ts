/**
 * The livestream endpoints: commands through the command path, reads from the live catalog after the
 * command's own transaction is in it.
 */
import { LiveCatalog } from "@onair/analytics"
import {
  createdLivestreamRecord,
  type Livestream,
  LivestreamId,
  livestreamRecord,
  SessionId,
  sessionRecord,
  status,
  StreamKey
} from "@onair/core"
import { CommandHandler } from "@onair/event-store"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { randomBytes } from "node:crypto"
import { badRequest, notFound, type Paging } from "../api/Envelope.ts"
import { OnAirApi } from "../api/OnAirApi.ts"
import { authorize, metadataFor, now, PublicUrlsConfig, settle } from "./Requests.ts"

export const DEFAULT_PER_PAGE = 10
export const DEFAULT_RECONNECT_WINDOW_SECONDS = 60
export const DEFAULT_LIMITS = { startTimeoutSeconds: 3600, maxDurationSeconds: 43_200 }

/** One page of `items` and the seed's paging object (offsets 1-based, 0 for an empty page). */
export const page = <A>(items: ReadonlyArray<A>, pageNo: number, perPage: number) => {
  const start = (pageNo - 1) * perPage
  const slice = items.slice(start, start + perPage)
  const paging: Paging = {
    start_offset: slice.length === 0 ? 0 : start + 1,
    end_offset: slice.length === 0 ? 0 : start + slice.length,
    total_count: items.length
  }
  return { slice, paging }
}

const parseTime = (field: string, value: string | undefined) => {
  if (value === undefined) return Effect.succeed(undefined)
  const at = Date.parse(value)
  return Number.isNaN(at)
    ? Effect.fail(badRequest("invalid_query_parameter", `${field}: not a valid ISO-8601 time`))
    : Effect.succeed(at)
}

export const LivestreamsHandlers = HttpApiBuilder.group(
  OnAirApi,
  "livestreams",
  Effect.fn(function*(handlers) {
    const commands = yield* CommandHandler
    const catalog = yield* LiveCatalog
    const urls = yield* PublicUrlsConfig

    return handlers
      .handle("createIndependentLivestream", ({ params, payload }) =>
        Effect.gen(function*() {
          const { token, scope } = yield* authorize(params)
          const at = yield* now
          const livestreamId = LivestreamId.make(crypto.randomUUID())
          const handled = yield* commands.handle({
            _tag: "CreateLivestream",
            livestreamId,
            at,
            ...scope,
            name: payload.name ?? null,
            meetingId: null,
            videoConfig: null,
            streamKey: StreamKey.make(randomBytes(32).toString("hex")),
            reconnectWindowSeconds: DEFAULT_RECONNECT_WINDOW_SECONDS,
            limits: DEFAULT_LIMITS,
            sessionId: SessionId.make(crypto.randomUUID())
          }, metadataFor(token, at)).pipe(settle)
          yield* catalog.awaitTransaction(handled.append?.transaction ?? 0)
          const livestream = (yield* catalog.current).livestream(scope, livestreamId)
          if (livestream === undefined) return yield* Effect.die(new Error("a created livestream is not in the catalog"))
          return { success: true as const, data: createdLivestreamRecord(livestream, urls) }
        }))
      .handle("getAllLivestreams", ({ params, query }) =>
        Effect.gen(function*() {
          const { scope } = yield* authorize(params)
          const from = yield* parseTime("start_time", query.start_time)
          const to = yield* parseTime("end_time", query.end_time)
          const order = query.sort_order ?? "DSC"
          const matching = (yield* catalog.current).livestreamsOf(scope).filter((livestream: Livestream) =>
            (query.status === undefined || status(livestream) === query.status) &&
            (query.exclude_meetings !== "true" || livestream.meetingId === null) &&
            (from === undefined || livestream.createdAt >= from) &&
            (to === undefined || livestream.createdAt <= to)
          )
          const sorted = order === "ASC" ? matching : [...matching].reverse()
          const { slice, paging } = page(sorted, query.page_no ?? 1, query.per_page ?? DEFAULT_PER_PAGE)
          const livestreams = slice.map((livestream) => livestreamRecord(livestream, urls))
          const first = livestreams[0]
          return {
            success: true as const,
            data: first === undefined ? { paging, livestreams } : { ...first, paging, livestreams }
          }
        }))
      .handle("getLivestreamSessionForLivestreamId", ({ params, query }) =>
        Effect.gen(function*() {
          const { scope } = yield* authorize(params)
          const read = yield* catalog.current
          const livestream = read.livestream(scope, params.livestream_id)
          if (livestream === undefined) return yield* notFound(`livestream ${params.livestream_id}`)
          const at = yield* now
          const newestFirst = [...read.sessionsOf(livestream.id)].reverse()
          const { slice, paging } = page(newestFirst, query.page_no ?? 1, query.per_page ?? DEFAULT_PER_PAGE)
          const sessions = slice.map((session) => sessionRecord(session, at))
          return {
            success: true as const,
            data: {
              livestream: livestreamRecord(livestream, urls),
              paging,
              ...(sessions[0] === undefined ? {} : { session: sessions[0] }),
              sessions
            }
          }
        }))
  })
)
