/**
 * Health endpoints for load balancers and orchestrators, without a token: `GET /healthz` answers while the
 * process serves requests; `GET /readyz` answers 200 when the store answers, the catalog's projection has
 * taken in the log but for events younger than `ONAIR_READY_MAX_LAG_SECONDS` (5), and, in a process that
 * runs a media node, that node takes publishes; 503 otherwise. Each check has `CHECK_TIMEOUT_MILLIS`, so
 * the answer comes in under 50 ms whatever hangs. The answer names each check and why it failed, nothing
 * more (no addresses, no counts).
 */
import { EventStore, MediaPlane } from "@onair/core"
import { Config, Context, Duration, Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { lagSeconds } from "./ProjectionLag.ts"

export const CHECK_TIMEOUT_MILLIS = 40

const NO_STORE = { headers: { "cache-control": "no-store" } }

/** The consumer whose lag readiness judges: the catalog's projection, which every API read answers from. */
export const CATALOG = "catalog"

/** Whether this process runs a media node, whose readiness then counts. */
export class HealthOptions extends Context.Service<HealthOptions, { readonly mediaNode: boolean }>()(
  "@onair/adapters-http/HealthOptions"
) {
  static readonly apiOnly = Layer.succeed(HealthOptions)({ mediaNode: false })
  static readonly withMediaNode = Layer.succeed(HealthOptions)({ mediaNode: true })
}

const LATE = `no answer within ${CHECK_TIMEOUT_MILLIS} ms`

/** A check's verdicts (undefined: ok; else why not) in time, or `late` when they do not come. */
const inTime = <A>(check: Effect.Effect<A>, late: A): Effect.Effect<A> =>
  check.pipe(
    Effect.timeout(Duration.millis(CHECK_TIMEOUT_MILLIS)),
    Effect.catch(() => Effect.succeed(late))
  )

export const layer = Layer.unwrap(
  Effect.gen(function* () {
    const store = yield* EventStore
    const media = yield* MediaPlane
    const options = yield* HealthOptions
    const maxLagSeconds = yield* Config.Int("ONAIR_READY_MAX_LAG_SECONDS").pipe(Config.withDefault(5))

    // One read of the catalog's checkpoint judges the store, and the events after it the catalog's lag: the
    // oldest one not taken in yet, too old, and reads answer from stale tables.
    const storeAndReadModels = Effect.map(
      Effect.result(Effect.provideService(lagSeconds(CATALOG), EventStore, store)),
      (lag) => {
        if (lag._tag === "Failure") {
          const failed = `the store failed: ${lag.failure.message}`
          return { store: failed, readModels: failed }
        }
        return {
          store: undefined,
          readModels:
            lag.success > maxLagSeconds
              ? `the catalog is ${lag.success.toFixed(1)} s behind the log (at most ${maxLagSeconds} s)`
              : undefined
        }
      }
    )
    const mediaNodeAccepting: Effect.Effect<string | undefined> = Effect.map(media.accepting, (accepting) =>
      accepting ? undefined : "the media node is not registered and taking publishes"
    )

    const ready = Effect.gen(function* () {
      const [stored, mediaNode] = yield* Effect.all(
        [
          inTime(storeAndReadModels, { store: LATE, readModels: LATE }),
          options.mediaNode ? inTime(mediaNodeAccepting, LATE) : Effect.succeed(undefined)
        ],
        { concurrency: "unbounded" }
      )
      const verdicts: ReadonlyArray<readonly [string, string | undefined]> = [
        ["store", stored.store],
        ["read_models", stored.readModels],
        ...(options.mediaNode ? [["media_node", mediaNode] as const] : [])
      ]
      const failed = verdicts.filter(([, failure]) => failure !== undefined)
      const data = {
        status: failed.length === 0 ? "ready" : "not ready",
        checks: Object.fromEntries(verdicts.map(([name, failure]) => [name, failure ?? "ok"]))
      }
      // In the API's envelope, a failure as every other: one error per failed check, named.
      return failed.length === 0
        ? HttpServerResponse.jsonUnsafe({ success: true, data }, NO_STORE)
        : HttpServerResponse.jsonUnsafe(
            {
              success: false,
              errors: failed.map(([name, failure]) => ({ code: "not_ready", message: `${name}: ${failure}` })),
              data
            },
            { ...NO_STORE, status: 503 }
          )
    })

    return Layer.mergeAll(
      HttpRouter.add(
        "GET",
        "/healthz",
        Effect.succeed(HttpServerResponse.jsonUnsafe({ success: true, data: { status: "ok" } }, NO_STORE))
      ),
      HttpRouter.add("GET", "/readyz", ready)
    )
  })
)
