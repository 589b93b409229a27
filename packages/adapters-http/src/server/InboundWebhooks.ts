/**
 * `POST /webhooks/realtime`: events of a real-time media engine in webhook seed 004's envelope, signed by
 * the Standard Webhooks scheme with `ONAIR_INBOUND_WEBHOOK_SECRET`, applied to meetings. Answers:
 * 200 applied (or a repeat of an applied id, or a type OnAir does not use), 401 unsigned, forged or stale,
 * 400 naming the bad field, 404 an unknown meeting, 409 a rule the meeting refused, 404 when no secret is
 * configured (the endpoint is off).
 */
import { InboundEvents } from "@onair/core"
import { Clock, Effect, Layer } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { errorEnvelope } from "@onair/http-api"

export const INBOUND_PATH = "/webhooks/realtime"

const answer = (status: number, body: unknown) => HttpServerResponse.jsonUnsafe(body, { status })
const failure = (status: number, code: string, message: string) => answer(status, errorEnvelope(code, message))

export const layer = Layer.unwrap(
  Effect.gen(function* () {
    const inbound = yield* InboundEvents
    const handler = Effect.gen(function* () {
      if (!inbound.enabled)
        return failure(404, "not_found", "inbound webhooks are off (ONAIR_INBOUND_WEBHOOK_SECRET is unset)")
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orElseSucceed(request.text, () => "")
      const result = yield* inbound.receive(request.headers, body, yield* Clock.currentTimeMillis)
      switch (result._tag) {
        case "Applied":
          return answer(200, { success: true, data: { applied: !result.duplicate, duplicate: result.duplicate } })
        case "Ignored":
          return answer(200, { success: true, data: { applied: false, ignored: result.type } })
        case "Unauthorized":
          return failure(401, "unauthorized", `webhook signature refused: ${result.reason}`)
        case "Invalid":
          return failure(400, "invalid_body", `${result.field}: ${result.message}`)
        case "NotFound":
          return failure(404, "not_found", `${result.what} was not found`)
        case "Refused":
          return failure(409, "refused", `the meeting refused the event: ${result.rule}`)
      }
    }).pipe(Effect.catch(() => Effect.succeed(failure(503, "unavailable", "the event store is unavailable; retry"))))
    return HttpRouter.add("POST", INBOUND_PATH, handler)
  })
)
