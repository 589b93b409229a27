/**
 * nginx-rtmp's callbacks, answered over HTTP at `/media/nginx/<secret>/<nginx run>/<callback>`. The secret
 * is made per OnAir process and only nginx's config holds it, so nobody else can open or end a publish; the
 * run id keeps a late callback of an nginx that is gone from touching the one that runs now.
 *
 * nginx's reading of the answers: 2xx allows, 3xx on `on_publish` allows and renames the stream to
 * `Location`, 4xx refuses (the encoder is closed at once; on `on_update` a live publisher is dropped).
 */
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { timingSafeEqual } from "node:crypto"
import { type CallbackForm, Publishing } from "./Publishing.ts"

export const CALLBACK_PATH = "/media/nginx"

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

const forbidden = HttpServerResponse.empty({ status: 403 })

/** The callback routes; `secret` is the path segment nginx's config carries. */
export const layer = (secret: string) =>
  Layer.unwrap(Effect.gen(function*() {
    const publishing = yield* Publishing
    const callback = Effect.gen(function*() {
      const { secret: given, instance, callback } = yield* HttpRouter.params
      if (given === undefined || instance === undefined || !sameSecret(given, secret)) return forbidden
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orElseSucceed(request.text, () => "")
      const form: CallbackForm = Object.fromEntries(new URLSearchParams(body))
      switch (callback) {
        case "publish": {
          const answer = yield* publishing.publish(instance, form)
          return answer._tag === "Accepted"
            ? HttpServerResponse.empty({ status: 302, headers: { location: answer.streamName } })
            : forbidden
        }
        case "publish-done":
          yield* publishing.publishDone(instance, form)
          return HttpServerResponse.empty({ status: 200 })
        case "update":
          return (yield* publishing.update(instance, form)) ? HttpServerResponse.empty({ status: 200 }) : forbidden
        default:
          return HttpServerResponse.empty({ status: 404 })
      }
    })
    return HttpRouter.add("POST", `${CALLBACK_PATH}/:secret/:instance/:callback`, callback)
  }))
