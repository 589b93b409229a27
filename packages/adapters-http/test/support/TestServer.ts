/**
 * A real OnAir HTTP server for tests: the embedded store in a temp directory, the command path, the
 * catalog and the token index, served on a free loopback port.
 */
import { embeddedDatabase } from "@onair/event-store/testing"
import { NodeHttpServer } from "@effect/platform-node"
import { AdminToken, DashboardFiles, HealthOptions, KnownApps, Metrics, Server } from "@onair/adapters-http"
import { AccessTokens } from "@onair/application"
import { Inbound, Webhooks } from "@onair/adapters-webhook"
import { Catalog, CatalogReads } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import {
  AccountId,
  AppId,
  IngestId,
  LOCAL_MEDIA_NODE,
  MediaPlane,
  originMetadata,
  SessionId,
  type Signal,
  StreamKey,
  Timestamp
} from "@onair/core"
import {
  AppCommands,
  AppSettingsCommands,
  CommandHandler,
  MediaNodeCommands,
  PublicUrlsConfig,
  RecordingCommands,
  RecordingLinks,
  RestreamCommands,
  SrtPortCommands
} from "@onair/application"
import { MeetingUrlGuard, RestreamUrlGuard } from "@onair/outbound"
import { Effect, Layer, ManagedRuntime } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, beforeAll } from "vitest"

export interface TestServer {
  readonly baseUrl: string
  /** A token for the account, limited to `apps` (none: every app). */
  readonly token: (accountId: string, apps?: ReadonlyArray<string>) => Promise<string>
  readonly revoke: (token: string) => Promise<void>
  /**
   * One request: JSON body when one is given, `Authorization: Bearer <token>` when a token is, other
   * headers as given. The answer's status, its text and its JSON (undefined when empty).
   */
  readonly call: (
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    headers?: Record<string, string>
  ) => Promise<{ readonly status: number; readonly text: string; readonly body: any }>
  /** Runs a signal through the command path, as the media plane or a timer would. */
  readonly signal: (signal: Signal) => Promise<void>
  /** An encoder publishing with `streamKey` on the local media node, at `at` (now) as `ingestId` (a new one). */
  readonly publish: (
    streamKey: string,
    options?: { readonly at?: number; readonly ingestId?: IngestId }
  ) => Promise<void>
}

/** The apps the tests use, made in every account a test token is made for. */
export const TEST_APPS = ["app_1", "app_2"] as const

export const useServer = (options?: {
  readonly mediaReady?: boolean
  readonly mediaNode?: boolean
  readonly dashboardDir?: string
  /** The token `/metrics` asks for (none: metrics are off). */
  readonly metricsToken?: string
}): TestServer => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-http-"))
  const services = Layer.merge(Inbound.layer, KnownApps.layer).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        CommandHandler.layer(),
        AppCommands.layer,
        AccessTokens.layer,
        Webhooks.layer,
        MediaNodeCommands.layer,
        RecordingCommands.layer,
        AppSettingsCommands.layer,
        RestreamCommands.layer,
        SrtPortCommands.layer,
        RestreamUrlGuard.layer,
        MeetingUrlGuard.layer,
        Layer.provide(RecordingLinks.layer, PublicUrlsConfig.layer)
      )
    ),
    Layer.provideMerge(Layer.merge(Catalog.layer, MediaNodeRegistry.layer)),
    Layer.provideMerge(embeddedDatabase(dataDir))
  )
  const app = HttpRouter.serve(Server.routes, { disableLogger: true }).pipe(
    Layer.provideMerge(NodeHttpServer.layer(Server.createNodeServer, { port: 0, host: "127.0.0.1" })),
    Layer.provideMerge(services),
    Layer.provide(AdminToken.fromEnv),
    Layer.provide(options?.mediaNode === true ? HealthOptions.withMediaNode : HealthOptions.apiOnly),
    Layer.provide(
      options?.metricsToken === undefined
        ? Metrics.MetricsAccess.off
        : Metrics.MetricsAccess.withToken(options.metricsToken)
    ),
    Layer.provide(options?.dashboardDir === undefined ? DashboardFiles.none : DashboardFiles.at(options.dashboardDir)),
    Layer.provide(
      options?.mediaReady === true ? Layer.succeed(MediaPlane)({ accepting: Effect.succeed(true) }) : MediaPlane.absent
    )
  )
  type Services = HttpServer.HttpServer | AccessTokens | CommandHandler | CatalogReads | KnownApps
  let runtime: ManagedRuntime.ManagedRuntime<Services, unknown> | undefined
  let baseUrl = ""
  const at = Timestamp.make(1_790_000_000_000)

  beforeAll(async () => {
    const started: ManagedRuntime.ManagedRuntime<Services, unknown> = ManagedRuntime.make(app)
    runtime = started
    baseUrl = await started.runPromise(
      Effect.map(Effect.service(HttpServer.HttpServer), (server) => HttpServer.formatAddress(server.address))
    )
  })
  afterAll(async () => {
    await runtime?.dispose()
    Fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const meta = (id: string) => originMetadata(id, "test", at)
  const signal = (signal: Signal) =>
    runtime!.runPromise(
      Effect.gen(function* () {
        const commands = yield* CommandHandler
        const catalog = yield* CatalogReads
        const handled = yield* commands.handle(signal, meta(`test:${crypto.randomUUID()}`))
        yield* catalog.awaitTransaction(handled.append?.transaction ?? 0)
      })
    )
  return {
    get baseUrl() {
      return baseUrl
    },
    token: (accountId, apps = []) =>
      runtime!.runPromise(
        Effect.gen(function* () {
          // The tests' apps exist in every account a token is made for, as an operator would have made them.
          const known = yield* KnownApps
          for (const app of TEST_APPS) {
            yield* Effect.ignore(
              known.create(AccountId.make(accountId), app, AppId.make(app), meta(`test:${crypto.randomUUID()}`))
            )
          }
          return yield* AccessTokens
        }).pipe(
          Effect.flatMap((tokens) =>
            tokens.issue(
              { accountId: AccountId.make(accountId), appIds: apps.map((app) => AppId.make(app)), label: "test" },
              meta(`test:${crypto.randomUUID()}`)
            )
          ),
          Effect.map((issued) => issued.token)
        )
      ),
    revoke: (token) =>
      runtime!.runPromise(
        Effect.flatMap(Effect.service(AccessTokens), (tokens) =>
          tokens.revoke(token.split("_").slice(1, 3).join("_") as never, meta(`test:${crypto.randomUUID()}`))
        )
      ),
    call: async (method, path, token, body, headers) => {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      const text = await response.text()
      return { status: response.status, text, body: text === "" ? undefined : JSON.parse(text) }
    },
    signal,
    publish: (streamKey, options) =>
      signal({
        _tag: "Publish",
        nodeId: LOCAL_MEDIA_NODE,
        nodeRegion: null,
        nodeAccepting: true,
        at: Timestamp.make(options?.at ?? Date.now()),
        ingestId: options?.ingestId ?? IngestId.make(`nginx-${crypto.randomUUID()}`),
        streamKey: StreamKey.make(streamKey),
        publisher: { ip: "203.0.113.10", port: 41000 },
        sessionId: SessionId.make(crypto.randomUUID())
      })
  }
}
