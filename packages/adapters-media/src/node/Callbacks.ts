/**
 * nginx-rtmp's callbacks, on a listener of their own that only nginx is meant to reach: loopback, a port
 * the system picks, never the public API port. Paths are `/media/nginx/<secret>/<nginx run>/<server>/<callback>`
 * for the ingest servers and `/media/nginx/<secret>/<nginx run>/relay` (and `relay-done`) for the `hls`
 * application. The
 * secret is made per OnAir process and only nginx's owner-only config holds it; the run id keeps a late
 * callback of an nginx that is gone from touching the one that runs now. Nothing here is logged.
 *
 * nginx's reading of the answers: 2xx allows, 3xx on `on_publish` allows and renames the stream to
 * `Location`, 4xx refuses (the encoder is closed at once; on `on_update` a live publisher is dropped).
 * Traces start at the decision (`Publishing.publish`), not at the request, whose URL carries the secret.
 */
import { sameSecret } from "@onair/secrets"
import { NodeHttpServer } from "@effect/platform-node"
import { ByteSize, Effect } from "effect"
import { HttpIncomingMessage, HttpMiddleware, HttpServer, HttpServerRequest, HttpServerResponse } from "effect/http"
import { createServer } from "node:http"
import { INGEST_SERVERS, type IngestServer, RELAY_CALLBACK, RELAY_DONE_CALLBACK } from "./NginxConfig.ts"
import { type CallbackForm, Publishing } from "./Publishing.ts"

export const CALLBACK_PATH = "/media/nginx"

/** nginx's forms are a few hundred bytes; anything larger is not nginx. */
const MAX_FORM = ByteSize.kibibytes(16)

const status = (code: number) => HttpServerResponse.empty({ status: code })
const isIngestServer = (name: string | undefined): name is IngestServer => INGEST_SERVERS.includes(name as IngestServer)

/** Answers one callback request; `secret` is the path segment nginx's config carries. */
export const handle = (secret: string) =>
  Effect.gen(function* () {
    const publishing = yield* Publishing
    const request = yield* HttpServerRequest.HttpServerRequest
    if (request.method !== "POST") return status(405)
    const path = new URL(request.url, "http://callbacks").pathname
    if (!path.startsWith(`${CALLBACK_PATH}/`)) return status(404)
    const [given, instance, ...rest] = path.slice(CALLBACK_PATH.length + 1).split("/")
    if (given === undefined || instance === undefined || !sameSecret(given, secret)) return status(403)
    const body = yield* Effect.orElseSucceed(request.text, () => null)
    if (body === null) return status(413)
    const form: CallbackForm = Object.fromEntries(new URLSearchParams(body))
    const [server, callback] = rest
    if (rest.length === 1 && server === RELAY_CALLBACK) {
      return (yield* publishing.relay(instance, form)) ? status(200) : status(403)
    }
    if (rest.length === 1 && server === RELAY_DONE_CALLBACK) {
      yield* publishing.relayDone(instance, form)
      return status(200)
    }
    if (rest.length !== 2 || !isIngestServer(server)) return status(404)
    switch (callback) {
      case "publish": {
        const answer = yield* publishing.publish(instance, server, form)
        return answer._tag === "Accepted"
          ? HttpServerResponse.empty({ status: 302, headers: { location: answer.streamName } })
          : status(403)
      }
      case "publish-done":
        yield* publishing.publishDone(instance, form)
        return status(200)
      case "update":
        return (yield* publishing.update(instance, form)) ? status(200) : status(403)
      default:
        return status(404)
    }
  }).pipe(Effect.provideService(HttpIncomingMessage.MaxBodySize, MAX_FORM))

/**
 * Serves the callbacks on 127.0.0.1 (a free port) for as long as the scope is open; the base URL of the
 * callbacks of nginx run `instanceId`.
 */
export const serve = (secret: string) =>
  Effect.gen(function* () {
    const server = yield* NodeHttpServer.make(() => createServer(), { port: 0, host: "127.0.0.1" })
    // No request span: its URL carries the secret. The publish decision's own spans start the trace.
    yield* server.serve(handle(secret)).pipe(Effect.provideService(HttpMiddleware.TracerDisabledWhen, () => true))
    const origin = HttpServer.formatAddress(server.address)
    return (instanceId: string) => `${origin}${CALLBACK_PATH}/${secret}/${instanceId}`
  })
