/**
 * API tokens and webhook endpoints as catalog tables, on a real (embedded) event store: a token works the
 * moment it is issued (before the catalog has it) and stops the moment it is revoked (the cached one
 * included), an endpoint's secrets
 * are never in the table in clear, and a rebuild from the log gives the same rows.
 */
import { embeddedDatabase } from "@onair/event-store/testing"
import { Catalog, CatalogReads, CatalogStates, CatalogTables, RestreamReads } from "@onair/catalog"
import {
  AccountId,
  AppId,
  type EventStore,
  LivestreamId,
  RestreamStreamKey,
  RestreamTargetId,
  originMetadata,
  SigningSecret,
  Timestamp,
  WebhookEndpointDecider,
  WebhookEndpointEvent,
  WebhookEndpointId,
  type WebhookEndpointCommand
} from "@onair/core"
import { Projection, SecretKeyring } from "@onair/event-store"
import { AccessTokens, AggregateCommand, RestreamCommands } from "@onair/application"
import { Effect, Layer, ManagedRuntime, Schedule } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, assert, describe, it } from "vitest"

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0)
const scope = { accountId: AccountId.make("acct_1"), appId: AppId.make("app_a") }
let counter = 0
const metadata = () =>
  originMetadata(`access-${++counter}-${crypto.randomUUID()}`, "test", Timestamp.make(T0 + counter))

const endpoints: AggregateCommand.Aggregate<WebhookEndpointCommand, WebhookEndpointEvent, unknown, unknown> = {
  decider: WebhookEndpointDecider as never,
  events: WebhookEndpointEvent,
  stream: (command) => `webhookEndpoint-${command.endpointId}`
}

describe("API tokens, webhook endpoints and restream targets in the catalog", () => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-access-"))
  let runtime = ManagedRuntime.make(
    Layer.provideMerge(
      Layer.provideMerge(Layer.merge(AccessTokens.layer, RestreamCommands.layer), Catalog.layer),
      embeddedDatabase(dataDir)
    )
  ) as ManagedRuntime.ManagedRuntime<
    AccessTokens | RestreamCommands | RestreamReads | CatalogReads | EventStore | SqlClient | SecretKeyring,
    unknown
  >
  afterAll(async () => {
    await runtime.dispose()
    Fs.rmSync(dataDir, { recursive: true, force: true })
  })
  const secrets = [SigningSecret.make(`whsec_${"a".repeat(43)}`), SigningSecret.make(`whsec_${"b".repeat(43)}`)]
  const endpointId = WebhookEndpointId.make(`wh_${"x".repeat(24)}`)

  it("verifies a token from the moment it is issued to the moment it is revoked, cached or not", async () => {
    const outcome = await runtime.runPromise(
      Effect.gen(function* () {
        const tokens = yield* AccessTokens
        const issued = yield* tokens.issue({ ...scope, appIds: [], label: "ci" }, metadata())
        const [issuedId, wrongSecret] = [issued.accessToken.id, `${issued.token.slice(0, -4)}AAAA`]
        // At once, from the table or (the issue does not wait for the catalog) from the token's stream.
        const first = yield* tokens.verify(issued.token)
        // Once the table has it, the full path reads it through the cache: the lean path has it then.
        yield* Effect.repeat((yield* CatalogReads).accessToken(issuedId), {
          until: (token) => token !== undefined,
          schedule: Schedule.spaced("5 millis")
        })
        yield* tokens.verify(issued.token)
        const sync = tokens.verifySync(issued.token)
        const wrong = yield* tokens.verify(wrongSecret)
        yield* tokens.revoke(issuedId, metadata())
        return {
          issuedId,
          first: first?.id,
          sync: sync?.id,
          wrong,
          afterRevoke: yield* tokens.verify(issued.token),
          syncAfterRevoke: tokens.verifySync(issued.token)
        }
      })
    )
    assert.strictEqual(outcome.first, outcome.issuedId)
    assert.strictEqual(outcome.sync, outcome.issuedId, "a token read once is at hand for the lean path")
    assert.isUndefined(outcome.wrong, "a wrong secret is refused")
    assert.isUndefined(outcome.afterRevoke, "a revoked token is refused as soon as the revocation is answered")
    assert.isUndefined(outcome.syncAfterRevoke, "the cached token went with the revocation")
  })

  it("lists an app's endpoints with their secrets, sealed in the table", async () => {
    const outcome = await runtime.runPromise(
      Effect.gen(function* () {
        const catalog = yield* CatalogReads
        const sql = yield* SqlClient
        const decide = (command: WebhookEndpointCommand) =>
          Effect.flatMap(AggregateCommand.handle(endpoints, command, metadata()), (decided) =>
            catalog.awaitTransaction(decided.append?.transaction ?? 0)
          )
        yield* decide({
          _tag: "CreateWebhookEndpoint",
          endpointId,
          at: Timestamp.make(T0),
          ...scope,
          url: "https://hooks.example.com/onair",
          name: "livestream hooks",
          enabled: true,
          eventTypes: ["livestream.*"],
          secret: secrets[0]!
        })
        yield* decide({
          _tag: "RotateWebhookSecret",
          endpointId,
          at: Timestamp.make(T0 + 1),
          secret: secrets[1]!,
          previousValidUntil: Timestamp.make(T0 + 60_000)
        })
        const listed = yield* catalog.webhookEndpoints(scope)
        const otherApp = yield* catalog.webhookEndpoints({ ...scope, appId: AppId.make("app_b") })
        const stored = yield* sql<{ state: unknown }>`SELECT state FROM onair_webhook_endpoints`
        yield* decide({ _tag: "DeleteWebhookEndpoint", endpointId, at: Timestamp.make(T0 + 2) })
        return {
          listed,
          otherApp,
          stored: JSON.stringify(stored),
          afterDelete: yield* catalog.webhookEndpoints(scope),
          oneAfterDelete: yield* catalog.webhookEndpoint(scope, endpointId)
        }
      })
    )
    assert.deepStrictEqual(
      outcome.listed.map((e) => e.id),
      [endpointId]
    )
    assert.deepStrictEqual(
      outcome.listed[0]!.secrets.map((s) => s.secret),
      [secrets[1], secrets[0]]
    )
    assert.deepStrictEqual(outcome.otherApp, [], "another app's endpoints are not listed")
    for (const secret of secrets)
      assert.notInclude(outcome.stored, secret, "no signing secret is in the table in clear")
    assert.deepStrictEqual(outcome.afterDelete, [])
    assert.isUndefined(outcome.oneAfterDelete)
  })

  it("keeps a livestream's restream targets with their stream keys sealed, in the table and in the log", async () => {
    const livestreamId = LivestreamId.make(crypto.randomUUID())
    const targetId = RestreamTargetId.make(`rs_${"y".repeat(24)}`)
    const streamKey = RestreamStreamKey.make("restream-secret-key-7777")
    const outcome = await runtime.runPromise(
      Effect.gen(function* () {
        const catalog = yield* CatalogReads
        const restreams = yield* RestreamCommands
        const sql = yield* SqlClient
        const created = yield* restreams.handle(
          {
            _tag: "CreateRestreamTarget",
            targetId,
            at: Timestamp.make(T0),
            livestreamId,
            ...scope,
            url: "rtmps://live.example.com/app",
            streamKey,
            name: "example",
            enabled: true,
            verifyTls: true
          },
          metadata()
        )
        yield* catalog.awaitTransaction(created.append?.transaction ?? 0)
        const reads = yield* RestreamReads
        return {
          listed: yield* reads.targetsOf(scope, livestreamId),
          otherApp: yield* reads.targetsOf({ ...scope, appId: AppId.make("app_b") }, livestreamId),
          table: JSON.stringify(yield* sql`SELECT id, state FROM onair_restream_targets`),
          log: JSON.stringify(
            yield* sql`SELECT data FROM onair_events WHERE stream_name = ${`restreamTarget-${targetId}`}`
          )
        }
      })
    )
    assert.deepStrictEqual(
      outcome.listed.map((t) => [t.id, t.streamKey]),
      [[targetId, streamKey]]
    )
    assert.deepStrictEqual(outcome.otherApp, [])
    assert.notInclude(outcome.table, streamKey, "no restream key is in the table in clear")
    assert.include(outcome.log, "data", "the log holds the target's events")
    assert.notInclude(outcome.log, streamKey, "no restream key is in the log in clear")
  })

  it("equals the tables rebuilt from the start of the log", async () => {
    await runtime.dispose()
    runtime = ManagedRuntime.make(embeddedDatabase(dataDir)) as never
    const outcome = await runtime.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const opened = CatalogStates.endpointStates(yield* SecretKeyring)
        const openedTargets = CatalogStates.restreamStates(yield* SecretKeyring)
        const tables = Effect.gen(function* () {
          const tokens = yield* sql`SELECT * FROM onair_access_tokens ORDER BY id`
          const endpoints = yield* sql<{
            state: unknown
          }>`SELECT id, ordinal, account_id, app_id, deleted, state FROM onair_webhook_endpoints ORDER BY id`
          const targets = yield* sql<{
            state: unknown
          }>`SELECT id, ordinal, livestream_id, relay, deleted, state FROM onair_restream_targets ORDER BY id`
          return JSON.stringify(
            [
              tokens,
              endpoints.map((row) => ({ ...row, state: opened.decode(row.state) })),
              targets.map((row) => ({ ...row, state: openedTargets.decode(row.state) }))
            ],
            (_, v) => (typeof v === "bigint" ? String(v) : v)
          )
        })
        const kept = yield* tables
        yield* Projection.rebuild(CatalogTables.projection)
        return { kept, rebuilt: yield* tables }
      })
    )
    assert.include(outcome.kept, secrets[1]!)
    assert.deepStrictEqual(JSON.parse(outcome.rebuilt), JSON.parse(outcome.kept))
  })
})
