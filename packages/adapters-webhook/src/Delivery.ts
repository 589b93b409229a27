/**
 * The delivery loop: claims due deliveries (skipping rows another worker holds), posts each message signed
 * by its endpoint's current secrets through the guarded outbound client (public addresses only, checked
 * after resolution, no redirects), records every attempt, and settles each delivery: delivered on 2xx,
 * failed and the endpoint disabled on 410, otherwise retried on the schedule until it runs out.
 *
 * A claim pushes the delivery's next attempt past the request timeout, so a worker that dies mid-delivery
 * leaves it due again within twice the timeout: at-least-once, with the same `webhook-id` every time.
 */
import { deliveredType, signingSecrets, type WebhookEndpoint } from "@onair/core"
import { backingOffLoop } from "@onair/application"
import { TraceParents } from "@onair/event-store"
import { OutboundClient } from "@onair/outbound"
import { Clock, Duration, Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { sign } from "@onair/webhooks"
import * as DeliveryMetrics from "./DeliveryMetrics.ts"
import { WebhookEndpointStreams } from "./EndpointStreams.ts"
import type { Attempt } from "./Webhooks.ts"

export interface DeliveryOptions {
  /** The pause before each retry: the first after the first failure, and so on; then it fails. */
  readonly retrySchedule: ReadonlyArray<Duration.Duration>
  /** How long a receiver has to answer. */
  readonly timeout: Duration.Duration
  /** Deliveries claimed at once, and sent at once. */
  readonly batchSize: number
  readonly concurrency: number
  /** Resolves when new messages may be due (the outbox stored a batch); polled otherwise. */
  readonly wake: Effect.Effect<void>
  /** The longest wait between looks when nothing is due. */
  readonly idlePoll: Duration.Duration
}

/** 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: the schedule. */
export const DEFAULT_RETRY_SCHEDULE: ReadonlyArray<Duration.Duration> = [
  Duration.seconds(5),
  Duration.minutes(5),
  Duration.minutes(30),
  Duration.hours(2),
  Duration.hours(5),
  Duration.hours(10),
  Duration.hours(10)
]

interface Claimed {
  readonly message_id: string
  readonly endpoint_id: string
  readonly attempts: number
  readonly type: string
  readonly body: string
  readonly trace_parent: string | null
}

/**
 * The message as this endpoint receives it: under the RealtimeKit name it subscribed by, when that is how
 * it takes the type (the envelope is otherwise the same, its keys in the same order).
 */
export const bodyFor = (endpoint: WebhookEndpoint, claimed: Pick<Claimed, "type" | "body">): string => {
  const name = deliveredType(endpoint.eventTypes, claimed.type)
  if (name === undefined || name === claimed.type) return claimed.body
  return JSON.stringify({ ...(JSON.parse(claimed.body) as Record<string, unknown>), type: name })
}

/** An attempt as it is recorded, and what becomes of its delivery. */
interface Outcome extends Omit<Attempt, "position"> {
  readonly endpoint_id: string
  readonly next: "delivered" | "failed" | "pending"
  readonly retry_in_ms: number
  readonly gone: boolean
}

const EXCERPT = 512

/** Posts one message through the guarded client; never fails (a failure, a refusal included, is an outcome). */
const post = (
  outbound: OutboundClient["Service"],
  url: string,
  headers: Record<string, string>,
  body: string,
  timeout: Duration.Duration
) =>
  Effect.gen(function* () {
    const started = performance.now()
    const result = yield* Effect.result(outbound.post(url, { headers, body, timeout, maxResponseBytes: EXCERPT * 4 }))
    const latency = performance.now() - started
    return result._tag === "Success"
      ? { status: result.success.status, excerpt: result.success.body.slice(0, EXCERPT), error: null, latency }
      : {
          status: null,
          excerpt: null,
          error: (result.failure._tag === "OutboundRefused"
            ? `refused: ${result.failure.message}`
            : result.failure.message
          ).slice(0, EXCERPT),
          latency
        }
  })

export const run = (options: DeliveryOptions) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const endpoints = yield* WebhookEndpointStreams
    const outbound = yield* OutboundClient
    // Long enough for the attempt to end (its timeout) and be recorded, short enough that another worker,
    // looking every `idlePoll`, takes over a dead worker's claims within twice the timeout.
    const claimMillis = 2 * Duration.toMillis(options.timeout) - Duration.toMillis(options.idlePoll)

    const claim = sql<Claimed>`
      UPDATE onair_webhook_deliveries AS d
      SET next_attempt_at = now() + make_interval(secs => ${claimMillis / 1000}), updated_at = now()
      FROM (
        SELECT message_id, endpoint_id FROM onair_webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at, message_position
        LIMIT ${options.batchSize}
        FOR UPDATE SKIP LOCKED
      ) AS c, onair_webhook_messages AS m
      WHERE d.message_id = c.message_id AND d.endpoint_id = c.endpoint_id AND m.id = d.message_id
      RETURNING d.message_id::text AS message_id, d.endpoint_id, d.attempts, m.type, m.body, m.trace_parent`

    const attempt = (claimed: Claimed, endpoint: WebhookEndpoint | undefined) =>
      Effect.gen(function* () {
        const at = yield* Clock.currentTimeMillis
        const attempt = claimed.attempts + 1
        const base = {
          message_id: claimed.message_id,
          endpoint_id: claimed.endpoint_id,
          attempt,
          attempted_at: new Date(at).toISOString()
        }
        if (endpoint === undefined || endpoint.deleted || !endpoint.enabled) {
          return {
            ...base,
            status: null,
            latency_ms: 0,
            error:
              endpoint?.disabledReason === "gone"
                ? "endpoint disabled: it answered 410 Gone"
                : "endpoint disabled or deleted",
            response_excerpt: null,
            next: "failed",
            retry_in_ms: 0,
            gone: false
          } satisfies Outcome
        }
        const body = bodyFor(endpoint, claimed)
        const headers = {
          "content-type": "application/json",
          "user-agent": "OnAir-Webhooks/1.0",
          ...sign(signingSecrets(endpoint, at), claimed.message_id, Math.floor(at / 1000), body)
        }
        const result = yield* post(outbound, endpoint.url, headers, body, options.timeout)
        const ok = result.status !== null && result.status >= 200 && result.status < 300
        const gone = result.status === 410
        const retry = options.retrySchedule[attempt - 1]
        return {
          ...base,
          status: result.status,
          latency_ms: Math.round(result.latency),
          error: result.error,
          response_excerpt: result.excerpt,
          next: ok ? "delivered" : gone || retry === undefined ? "failed" : "pending",
          retry_in_ms: retry === undefined ? 0 : Duration.toMillis(retry),
          gone
        } satisfies Outcome
      })

    /** An attempt as a span of the trace its message continues (the append that caused it), when known. */
    const traced = <A, E, R>(claimed: Claimed, attempt: Effect.Effect<A, E, R>) => {
      const parent = TraceParents.parse(claimed.trace_parent)
      return Effect.withSpan(attempt, "webhook.deliver", {
        kind: "producer",
        attributes: {
          "onair.webhook.message_id": claimed.message_id,
          "onair.webhook.endpoint_id": claimed.endpoint_id,
          "onair.webhook.type": claimed.type
        },
        ...(parent === undefined ? {} : { parent })
      })
    }

    const record = (outcomes: ReadonlyArray<Outcome>) =>
      sql.withTransaction(
        Effect.gen(function* () {
          const rows = JSON.stringify(outcomes)
          yield* sql`
          INSERT INTO onair_webhook_attempts (message_id, endpoint_id, attempt, attempted_at, status, latency_ms, error, response_excerpt)
          SELECT message_id, endpoint_id, attempt, attempted_at, status, latency_ms, error, response_excerpt
          FROM jsonb_to_recordset(${rows}::jsonb) AS o(message_id uuid, endpoint_id text, attempt int, attempted_at timestamptz,
            status int, latency_ms int, error text, response_excerpt text)`
          yield* sql`
          UPDATE onair_webhook_deliveries AS d
          SET status = o.next, attempts = o.attempt, last_status = o.status, last_error = o.error, updated_at = now(),
              next_attempt_at = CASE WHEN o.next = 'pending' THEN now() + make_interval(secs => o.retry_in_ms / 1000.0) ELSE d.next_attempt_at END
          FROM jsonb_to_recordset(${rows}::jsonb) AS o(message_id uuid, endpoint_id text, attempt int, status int, error text,
            next text, retry_in_ms bigint)
          WHERE d.message_id = o.message_id AND d.endpoint_id = o.endpoint_id`
        })
      )

    const round = Effect.gen(function* () {
      const claimed = yield* claim
      if (claimed.length === 0) return 0
      // Each endpoint of the round read once, as of now, from its stream: not once per delivery.
      const receivers = new Map(
        yield* Effect.forEach(
          new Set(claimed.map((delivery) => delivery.endpoint_id)),
          (id) => Effect.map(endpoints.current(id), (endpoint) => [id, endpoint] as const),
          { concurrency: 8 }
        )
      )
      const outcomes = yield* Effect.forEach(
        claimed,
        (delivery) => traced(delivery, attempt(delivery, receivers.get(delivery.endpoint_id))),
        {
          concurrency: options.concurrency
        }
      )
      yield* record(outcomes)
      yield* Effect.forEach(
        outcomes,
        (outcome) =>
          DeliveryMetrics.record(
            outcome.gone
              ? "gone"
              : outcome.next === "delivered"
                ? "delivered"
                : outcome.next === "pending"
                  ? "retry"
                  : "failed",
            // An attempt at a disabled endpoint sends nothing: no answer time to count.
            outcome.status === null && outcome.latency_ms === 0 ? undefined : outcome.latency_ms
          ),
        { discard: true }
      )
      for (const endpointId of new Set(outcomes.filter((o) => o.gone).map((o) => o.endpoint_id))) {
        yield* endpoints
          .disable(endpointId)
          .pipe(Effect.catch((error) => Effect.logWarning(`webhooks: could not disable ${endpointId}: ${error._tag}`)))
      }
      return claimed.length
    })

    // While the database is away, rounds back off (to 30 s) and the outage is logged once, not every round.
    return yield* backingOffLoop({
      round,
      // A full batch means more may be due; otherwise wait for the outbox or the next look.
      then: (count) =>
        count >= options.batchSize ? Effect.void : Effect.raceFirst(options.wake, Effect.sleep(options.idlePoll)),
      pause: options.idlePoll,
      maxPause: Duration.seconds(30),
      failing: (error) => `webhooks: delivery round failed (${String(error)}); backing off`,
      recovered: "webhooks: deliveries resumed"
    })
  })
