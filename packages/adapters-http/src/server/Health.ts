/**
 * Health endpoints for load balancers and orchestrators, without a token: `GET /healthz` answers while the
 * process serves requests; `GET /readyz` answers 200 when the store answers, the catalog's projection has
 * taken in the log but for events younger than `ONAIR_READY_MAX_LAG_SECONDS` (5), and, in a process that
 * runs a media node, that node takes publishes; 503 otherwise. Each check has `CHECK_TIMEOUT_MILLIS`, so
 * the answer comes in under 50 ms whatever hangs. The answer names each check and why it failed, nothing
 * more (no addresses, no counts).
 */
import { EventStore, MediaPlane } from "@onair/core"
import { Clock, Config, Context, Duration, Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"

export const CHECK_TIMEOUT_MILLIS = 40

const NO_STORE = { headers: { "cache-control": "no-store" } }

/** The consumer whose lag readiness judges: the catalog's projection, which every API read answers from. */
const CATALOG = "catalog"

/** Whether this process runs a media node, whose readiness then counts. */
export class HealthOptions extends Context.Service<HealthOptions, { readonly mediaNode: boolean }>()(
  "@onair/adapters-http/HealthOptions"
) {
  static readonly apiOnly = Layer.succeed(HealthOptions)({ mediaNode: false })
  static readonly withMediaNode = Layer.succeed(HealthOptions)({ mediaNode: true })
}

type Check = Effect.Effect<string | undefined>

/** A check's verdict in time: undefined (ok), or why not. */
const judged = (check: Check): Check =>
  check.pipe(
    Effect.timeout(Duration.millis(CHECK_TIMEOUT_MILLIS)),
    Effect.catch(() => Effect.succeed(`no answer within ${CHECK_TIMEOUT_MILLIS} ms`))
  )

export const layer = Layer.unwrap(Effect.gen(function*() {
  const store = yield* EventStore
  const media = yield* MediaPlane
  const options = yield* HealthOptions
  const maxLagSeconds = yield* Config.Int("ONAIR_READY_MAX_LAG_SECONDS").pipe(Config.withDefault(5))

  const storeAnswers: Check = Effect.as(store.loadCheckpoint(CATALOG), undefined).pipe(
    Effect.catch((error) => Effect.succeed(`the store failed: ${error.message}`))
  )
  // The oldest event the catalog has not taken in yet: too old, and reads answer from stale tables.
  const readModelsCurrent: Check = Effect.gen(function*() {
    const checkpoint = yield* store.loadCheckpoint(CATALOG)
    const behind = yield* store.readAll(checkpoint, 1)
    const oldest = behind.events[0]
    if (oldest === undefined) return undefined
    const lagSeconds = ((yield* Clock.currentTimeMillis) - oldest.recordedAt) / 1000
    return lagSeconds > maxLagSeconds ? `the catalog is ${lagSeconds.toFixed(1)} s behind the log (at most ${maxLagSeconds} s)` : undefined
  }).pipe(Effect.catch((error) => Effect.succeed(`the store failed: ${error.message}`)))
  const mediaNodeAccepting: Check = Effect.map(media.accepting, (accepting) => accepting ? undefined : "the media node is not registered and taking publishes")

  const checks: ReadonlyArray<readonly [string, Check]> = [
    ["store", storeAnswers],
    ["read_models", readModelsCurrent],
    ...(options.mediaNode ? [["media_node", mediaNodeAccepting] as const] : [])
  ]

  const ready = Effect.gen(function*() {
    const verdicts = yield* Effect.forEach(checks, ([name, check]) => Effect.map(judged(check), (failure) => [name, failure] as const), {
      concurrency: "unbounded"
    })
    const failed = verdicts.filter(([, failure]) => failure !== undefined)
    const data = {
      status: failed.length === 0 ? "ready" : "not ready",
      checks: Object.fromEntries(verdicts.map(([name, failure]) => [name, failure ?? "ok"]))
    }
    // In the API's envelope, a failure as every other: one error per failed check, named.
    return failed.length === 0
      ? HttpServerResponse.jsonUnsafe({ success: true, data }, NO_STORE)
      : HttpServerResponse.jsonUnsafe(
        { success: false, errors: failed.map(([name, failure]) => ({ code: "not_ready", message: `${name}: ${failure}` })), data },
        { ...NO_STORE, status: 503 }
      )
  })

  return Layer.mergeAll(
    HttpRouter.add("GET", "/healthz", Effect.succeed(HttpServerResponse.jsonUnsafe({ success: true, data: { status: "ok" } }, NO_STORE))),
    HttpRouter.add("GET", "/readyz", ready)
  )
}))
