/**
 * The webhook worker: the outbox (committed events -> messages and deliveries) and the delivery loop, with
 * their settings from the environment. The main job runs it in-process; `apps/worker` runs it alone beside
 * API processes on PostgreSQL (the outbox runs in one of them at a time; deliveries are claimed by all).
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `ONAIR_WEBHOOK_RETRY_SCHEDULE` | `5s,5m,30m,2h,5h,10h,10h` | pauses before each retry, then it fails |
 * | `ONAIR_WEBHOOK_TIMEOUT_SECONDS` | `15` | how long a receiver has to answer |
 * | `ONAIR_WEBHOOK_CONCURRENCY` | `64` | deliveries in flight at once |
 */
import { RecordingLinks } from "@onair/application"
import type { PublicUrls } from "@onair/core"
import { Config, Deferred, Duration, Effect, Exit, Layer, Schedule as Retry, Schema } from "effect"
import { OutboundClient } from "@onair/outbound"
import * as Delivery from "./Delivery.ts"
import { WebhookEndpointStreams } from "./EndpointStreams.ts"
import * as Outbox from "./Outbox.ts"
import * as WebhookMigrations from "./WebhookMigrations.ts"

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** How long the outbox lets appends gather after one woke it (a webhook's delivery waits at most this more). */
const OUTBOX_LINGER = Duration.millis(20)

/** `5s,5m,30m,2h`: each a whole number and a unit (ms, s, m, h). */
export const parseSchedule = (text: string): ReadonlyArray<Duration.Duration> | undefined => {
  const parts = text.split(",").map((part) => /^\s*(\d{1,9})(ms|s|m|h)\s*$/.exec(part))
  if (parts.length === 0 || parts.some((match) => match === null)) return undefined
  return parts.map((match) => Duration.millis(Number(match![1]) * UNITS[match![2]!]!))
}

const Schedule = Schema.String.pipe(
  Schema.check(Schema.makeFilter((text: string) => parseSchedule(text) !== undefined || "durations like 5s,5m,2h"))
)

export const settingsFromEnv = Effect.gen(function* () {
  const schedule = yield* Config.schema(Schedule, "ONAIR_WEBHOOK_RETRY_SCHEDULE").pipe(
    Config.withDefault("5s,5m,30m,2h,5h,10h,10h")
  )
  const timeout = yield* Config.schema(
    Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 300 }))),
    "ONAIR_WEBHOOK_TIMEOUT_SECONDS"
  ).pipe(Config.withDefault(15))
  const concurrency = yield* Config.schema(
    Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1024 }))),
    "ONAIR_WEBHOOK_CONCURRENCY"
  ).pipe(Config.withDefault(64))
  return { retrySchedule: parseSchedule(schedule)!, timeout: Duration.seconds(timeout), concurrency }
})

/** Migrates the webhook tables. */
export const migrate = Layer.effectDiscard(Effect.asVoid(WebhookMigrations.run))

/** The outbox and the delivery loop, for as long as the layer lives, on migrated webhook tables. */
export const layer = (urls: PublicUrls) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      yield* WebhookMigrations.run
      const settings = yield* settingsFromEnv
      // The outbox's stored batches wake the delivery loop at once in this process.
      let stored = Deferred.makeUnsafe<void>()
      const onStored = () => {
        const done = stored
        stored = Deferred.makeUnsafe<void>()
        Deferred.doneUnsafe(done, Exit.void)
      }
      // The outbox stops when the database goes away; it starts again, backing off, until it comes back.
      // Nobody waits on it to answer a request: it lets appends gather for a moment after one wakes it, so a
      // busy log costs it one transaction per few writes, not one per write, on the connections the writes use.
      yield* Effect.forkScoped(
        Outbox.run(urls, { onStored, linger: OUTBOX_LINGER }).pipe(
          Effect.tapError((error) => Effect.logWarning(`webhooks: the outbox stopped (${String(error)}); restarting`)),
          Effect.retry(Retry.min([Retry.exponential(Duration.seconds(1)), Retry.spaced(Duration.seconds(30))])),
          Effect.catchCause((cause) => Effect.logError("webhooks: the outbox stopped", cause))
        )
      )
      yield* Effect.forkScoped(
        Delivery.run({
          ...settings,
          batchSize: 200,
          wake: Effect.suspend(() => Deferred.await(stored)),
          idlePoll: Duration.millis(250)
        })
      )
    })
  ).pipe(Layer.provide(Layer.mergeAll(WebhookEndpointStreams.layer, OutboundClient.layer, RecordingLinks.layer)))
