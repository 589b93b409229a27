/**
 * Webhook endpoints and what happened to their messages, as the core's `WebhookEndpoints` port the API
 * answers from: endpoints are an event-sourced aggregate (`webhookEndpoint-<id>`) read from the catalog's
 * table; messages, deliveries and attempts are the outbox's tables.
 */
import {
  type AppendMetadata,
  type EventStore,
  originMetadata,
  SigningSecret,
  Timestamp,
  type WebhookEndpointCommand,
  WebhookEndpointId,
  WebhookEndpointNotFound,
  WebhookEndpoints,
  type WebhookEndpointState,
  type WebhookAttempt,
  type WebhookFeedPage,
  WebhookMessageNotFound,
  type WebhookScope,
  WebhookStoreFailed,
  WebhookUrlRefused
} from "@onair/core"
import { AggregateCommand, awaitReadModel, currentTimestamp } from "@onair/application"
import { CatalogReads } from "@onair/catalog"
import { OutboundClient } from "@onair/outbound"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { randomBytes } from "node:crypto"
import { endpoints } from "./EndpointStreams.ts"
import { newSecret } from "@onair/webhooks"
import * as WebhookMigrations from "./WebhookMigrations.ts"

/** The adapter's types, as the port names them. */
export type Scope = WebhookScope
export type Attempt = WebhookAttempt
export type FeedPage = WebhookFeedPage

const newEndpointId = (): WebhookEndpointId => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
  return WebhookEndpointId.make(`wh_${Array.from(randomBytes(24), (b) => alphabet[b % alphabet.length]).join("")}`)
}

const failed = (error: unknown) => new WebhookStoreFailed({ message: String(error) })

/** The core's `WebhookEndpoints` port on the catalog's endpoint table and the outbox's tables. */
export const make = Effect.gen(function* () {
  const catalog = yield* CatalogReads
  const context = yield* Effect.context<SqlClient | EventStore>()
  const sql = yield* SqlClient
  const outbound = yield* OutboundClient
  const checkUrl = (url: string) =>
    Effect.mapError(outbound.check(url), (refused) => new WebhookUrlRefused({ message: refused.message }))

  const metadata = (actor: string, at: Timestamp): AppendMetadata =>
    originMetadata(`webhooks:${crypto.randomUUID()}`, actor, at)

  const decide = (command: WebhookEndpointCommand, actor: string) =>
    AggregateCommand.handle(endpoints, command, metadata(actor, command.at)).pipe(
      awaitReadModel(catalog),
      Effect.map((decided) => decided.state),
      Effect.provide(context)
    )

  const get = (scope: Scope, id: string) =>
    Effect.flatMap(catalog.webhookEndpoint(scope, id), (endpoint) =>
      endpoint === undefined
        ? Effect.fail(new WebhookEndpointNotFound({ endpointId: id as WebhookEndpointId }))
        : Effect.succeed(endpoint)
    )

  const found = (state: WebhookEndpointState, id: string) =>
    state === null
      ? Effect.fail(new WebhookEndpointNotFound({ endpointId: id as WebhookEndpointId }))
      : Effect.succeed(state)

  return WebhookEndpoints.of({
    list: catalog.webhookEndpoints,
    get,
    create: (scope, settings, actor) =>
      Effect.gen(function* () {
        // Only URLs on the public internet (or the operator's allow-list) become destinations.
        yield* checkUrl(settings.url)
        const secret = SigningSecret.make(newSecret())
        const endpointId = newEndpointId()
        const state = yield* decide(
          {
            _tag: "CreateWebhookEndpoint",
            endpointId,
            at: yield* currentTimestamp,
            accountId: scope.accountId,
            appId: scope.appId,
            url: settings.url,
            name: settings.name,
            enabled: settings.enabled,
            eventTypes: settings.eventTypes,
            secret
          },
          actor
        )
        return { endpoint: yield* found(state, endpointId), secret }
      }),
    update: (scope, id, patch, actor) =>
      Effect.gen(function* () {
        const endpoint = yield* get(scope, id)
        if (patch.url !== null) yield* checkUrl(patch.url)
        const state = yield* decide(
          { _tag: "UpdateWebhookEndpoint", endpointId: endpoint.id, at: yield* currentTimestamp, ...patch },
          actor
        )
        return yield* found(state, id)
      }),
    rotate: (scope, id, overlapSeconds, actor) =>
      Effect.gen(function* () {
        const endpoint = yield* get(scope, id)
        const at = yield* currentTimestamp
        const secret = SigningSecret.make(newSecret())
        const state = yield* decide(
          {
            _tag: "RotateWebhookSecret",
            endpointId: endpoint.id,
            at,
            secret,
            previousValidUntil: Timestamp.make(at + overlapSeconds * 1000)
          },
          actor
        )
        return { endpoint: yield* found(state, id), secret }
      }),
    remove: (scope, id, actor) =>
      Effect.gen(function* () {
        const endpoint = yield* get(scope, id)
        yield* decide({ _tag: "DeleteWebhookEndpoint", endpointId: endpoint.id, at: yield* currentTimestamp }, actor)
        return endpoint
      }),
    attempts: (scope, id, page) =>
      Effect.gen(function* () {
        yield* get(scope, id)
        return yield* sql<Attempt>`
          SELECT message_id::text, attempt, to_char(attempted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS attempted_at,
                 status, latency_ms, error, response_excerpt, id::text AS position
          FROM onair_webhook_attempts
          WHERE endpoint_id = ${id} AND id > ${page.after}
          ORDER BY id LIMIT ${page.limit}`.pipe(Effect.mapError(failed))
      }),
    resend: (scope, id, messageId) =>
      Effect.gen(function* () {
        yield* get(scope, id)
        const rows = yield* sql<{ position: string }>`
          SELECT position::text FROM onair_webhook_messages
          WHERE id::text = ${messageId} AND account_id = ${scope.accountId} AND app_id = ${scope.appId}`.pipe(
          Effect.mapError(failed)
        )
        const row = rows[0]
        if (row === undefined) return yield* new WebhookMessageNotFound({ messageId })
        yield* sql`
          INSERT INTO onair_webhook_deliveries (message_id, endpoint_id, message_position, status, next_attempt_at, committed_at)
          VALUES (${messageId}::uuid, ${id}, ${row.position}::bigint, 'pending', now(), now())
          ON CONFLICT (message_id, endpoint_id)
          DO UPDATE SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()`.pipe(
          Effect.mapError(failed)
        )
      }),
    recover: (scope, id, since) =>
      Effect.gen(function* () {
        yield* get(scope, id)
        const rows = yield* sql<{ message_id: string }>`
          UPDATE onair_webhook_deliveries
          SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
          WHERE endpoint_id = ${id} AND status = 'failed' AND committed_at >= ${since.toISOString()}::timestamptz
          RETURNING message_id::text`.pipe(Effect.mapError(failed))
        return rows.length
      }),
    feed: (scope, page) =>
      Effect.gen(function* () {
        // Ordered by the column, not the output's text of it (ORDER BY takes an output name first, and "10"
        // sorts before "9").
        const rows = yield* sql<{ position: string; body: string }>`
          SELECT m.position::text AS position, m.body FROM onair_webhook_messages m
          WHERE m.account_id = ${scope.accountId} AND m.app_id = ${scope.appId} AND m.position > ${page.after}
          ORDER BY m.position LIMIT ${page.limit}`.pipe(Effect.mapError(failed))
        return {
          events: rows.map((row) => JSON.parse(row.body) as unknown),
          next_cursor: rows.at(-1)?.position ?? String(page.after)
        }
      }),
    pendingDeliveries: Effect.map(
      sql<{ total: unknown }>`SELECT count(*) AS total FROM onair_webhook_deliveries WHERE status = 'pending'`.pipe(
        Effect.mapError(failed)
      ),
      (rows) => Number(rows[0]?.total ?? 0)
    ),
    feedEnd: (scope) =>
      Effect.map(
        sql<{ position: string | null }>`
          SELECT max(position)::text AS position FROM onair_webhook_messages
          WHERE account_id = ${scope.accountId} AND app_id = ${scope.appId}`.pipe(Effect.mapError(failed)),
        (rows) => Number(rows[0]?.position ?? 0)
      )
  })
})

/** The port, on migrated webhook tables, with the guarded outbound client it checks URLs with. */
export const layer = Layer.effect(WebhookEndpoints, Effect.andThen(WebhookMigrations.run, make)).pipe(
  Layer.provide(OutboundClient.layer)
)
