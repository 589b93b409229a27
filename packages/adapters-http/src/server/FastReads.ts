/**
 * A lean path for the hottest reads. Once the router has matched the route, this middleware answers the
 * happy case itself, skipping the HTTP API layer's per-request decoding, middleware chain and encoding:
 *
 * - `GET …/livestreams/{livestream_id}` (a live token that grants the app, valid parameters, a livestream
 *   of the app) with the very body the full handler builds;
 * - `GET …/livestreams` with an answer the full handler built for the same account, app and query string,
 *   while the catalog still gives the page it was built from (`ListAnswers`): it builds nothing itself.
 *
 * Anything else (a bad parameter, a missing or wrong token, an unknown id, a list not answered before or
 * changed since) falls through to the full path, which answers the canonical error or the new answer, so
 * the two paths cannot disagree.
 */
import { CatalogReads, type Page } from "@onair/catalog"
import {
  AccountId,
  AppId,
  grants,
  ingestSeconds,
  type Livestream,
  LivestreamId,
  type PublicUrls,
  type Session,
  Timestamp
} from "@onair/core"
import { Clock, Effect, Layer, Schema } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { BASE, MAX_PER_PAGE } from "@onair/http-api"
import { AccessTokens } from "@onair/application"
import { DEFAULT_PER_PAGE, detailBody } from "./LivestreamsHandlers.ts"
import { ListAnswers, listAnswerKey, queryStringOf } from "./ListAnswers.ts"
import { LivestreamUrls } from "./LivestreamUrls.ts"

const DETAIL_PATH = `${BASE}/livestreams/:livestream_id`
const LIST_PATH = `${BASE}/livestreams`
const isAccountId = Schema.is(AccountId)
const isAppId = Schema.is(AppId)
const isLivestreamId = Schema.is(LivestreamId)

/** A detail answer and what it was built from. */
interface DetailAnswer {
  readonly sessions: Page<Session>
  readonly urls: PublicUrls
  readonly urlsText: string
  readonly seconds: string
  readonly response: HttpServerResponse.HttpServerResponse
}

/** A whole number in [min, max] from a query value, the default when absent, undefined when invalid. */
const intParam = (value: string | null, fallback: number, min: number, max: number): number | undefined => {
  if (value === null) return fallback
  if (!/^\d{1,9}$/.test(value)) return undefined
  const n = Number(value)
  return n >= min && n <= max ? n : undefined
}

export const layer = Layer.unwrap(
  Effect.gen(function* () {
    const catalog = yield* CatalogReads
    const tokens = yield* AccessTokens
    const urls = yield* LivestreamUrls
    const listAnswers = yield* ListAnswers

    /** The caller's token, if it is live and grants the app of the path. */
    const granted = (
      params: Readonly<Record<string, string | undefined>>,
      request: HttpServerRequest.HttpServerRequest
    ) => {
      const { account_id, app_id } = params
      if (!isAccountId(account_id) || !isAppId(app_id)) return undefined
      const authorization = request.headers["authorization"]
      if (authorization === undefined || !authorization.startsWith("Bearer ")) return undefined
      const token = tokens.verifySync(authorization.slice(7))
      return token === undefined || !grants(token, account_id, app_id)
        ? undefined
        : { accountId: account_id, appId: app_id }
    }

    /** The list's answer the full handler built for this very request, if the catalog's page is the same. */
    const list = (
      params: Readonly<Record<string, string | undefined>>,
      request: HttpServerRequest.HttpServerRequest
    ) => {
      const scope = granted(params, request)
      if (scope === undefined) return undefined
      const known = listAnswers.recall(listAnswerKey(scope.accountId, scope.appId, request.url))
      if (known === undefined) return undefined
      return Effect.map(catalog.livestreams(scope, known.filter), (page) =>
        page === known.page ? known.response : undefined
      )
    }

    /** The detail response for the happy case, or undefined to let the full path answer. */
    const detail = (
      params: Readonly<Record<string, string | undefined>>,
      request: HttpServerRequest.HttpServerRequest,
      now: number
    ) => {
      const { livestream_id } = params
      const scope = granted(params, request)
      if (scope === undefined || !isLivestreamId(livestream_id)) return undefined
      const search = new URLSearchParams(queryStringOf(request.url))
      if (search.getAll("page_no").length > 1 || search.getAll("per_page").length > 1) return undefined
      const pageNo = intParam(search.get("page_no"), 1, 1, 999_999_999)
      const perPage = intParam(search.get("per_page"), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
      if (pageNo === undefined || perPage === undefined) return undefined
      return Effect.flatMap(catalog.livestream(scope, livestream_id), (livestream) =>
        livestream === undefined
          ? Effect.succeed(undefined)
          : Effect.map(catalog.sessionsOf(livestream.id, { pageNo, perPage }), (sessions) =>
              detailAnswer(livestream, sessions, pageNo, perPage, Timestamp.make(now))
            )
      )
    }

    /**
     * The detail's answer for a livestream and a page of its sessions as the catalog's cache hands them out
     * (the same objects until an event changes them): built once and answered again while those objects,
     * the livestream's URLs and the sessions' ingest seconds at this instant (what a live session's answer
     * changes with) are the same. Kept beside the cached livestream, and gone with it.
     */
    const detailAnswers = new WeakMap<Livestream, Map<string, DetailAnswer>>()
    const detailAnswer = (
      livestream: Livestream,
      sessions: Page<Session>,
      pageNo: number,
      perPage: number,
      at: Timestamp
    ): HttpServerResponse.HttpServerResponse => {
      const livestreamUrls = urls.of(livestream)
      const seconds = sessions.items.map((session) => ingestSeconds(session, at)).join(",")
      const pages = detailAnswers.get(livestream) ?? new Map<string, DetailAnswer>()
      const page = `${pageNo}/${perPage}`
      const known = pages.get(page)
      // The configured URLs are one object; a media node's are made anew each time, so compared as text.
      const sameUrls = (answer: DetailAnswer) =>
        answer.urls === livestreamUrls || answer.urlsText === JSON.stringify(livestreamUrls)
      if (known !== undefined && known.sessions === sessions && known.seconds === seconds && sameUrls(known))
        return known.response
      const response = HttpServerResponse.jsonUnsafe(
        detailBody(sessions, livestream, pageNo, perPage, at, livestreamUrls)
      )
      pages.set(page, { sessions, urls: livestreamUrls, urlsText: JSON.stringify(livestreamUrls), seconds, response })
      detailAnswers.set(livestream, pages)
      return response
    }

    return HttpRouter.middleware((httpEffect) =>
      Effect.flatMap(Effect.service(HttpServerRequest.HttpServerRequest), (request) =>
        request.method !== "GET"
          ? httpEffect
          : Effect.flatMap(Effect.service(HttpRouter.RouteContext), (route) => {
              const answer =
                route.route.path === DETAIL_PATH
                  ? Effect.flatMap(
                      Clock.currentTimeMillis,
                      (now) => detail(route.params, request, now) ?? Effect.undefined
                    )
                  : route.route.path === LIST_PATH
                    ? (list(route.params, request) ?? Effect.undefined)
                    : undefined
              return answer === undefined
                ? httpEffect
                : Effect.flatMap(answer, (response) => (response === undefined ? httpEffect : Effect.succeed(response)))
            })
      )
    ).layer
  })
)
