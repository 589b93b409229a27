/**
 * Apps as every request sees them: a request names an app that exists in its account, or gets a 404. An
 * app used before apps were resources (its livestreams, meetings, endpoints or settings are in the
 * catalog, or the caller's token names it) is registered the first time a request uses it, with origin
 * `existing` and its id as its name (ADR 0016). New apps are made by their owner (`POST …/apps`) or the
 * operator (`onair apps create`), with a new UUID unless the operator gives an id.
 */
import { AppCommands, awaitReadModel, currentTimestamp } from "@onair/application"
import { AppReads, CatalogReads } from "@onair/catalog"
import {
  type AccessToken,
  type AccountId,
  type App,
  type AppAlreadyExists,
  AppId,
  type AppName,
  type AppendMetadata,
  originMetadata
} from "@onair/core"
import { Context, Effect, Layer } from "effect"
import { type NotFound, notFound } from "@onair/http-api"

export class KnownApps extends Context.Service<
  KnownApps,
  {
    /** The app of the request's path, registered first if it is one from before apps; 404 otherwise. */
    readonly ensure: (
      token: AccessToken,
      scope: { readonly accountId: AccountId; readonly appId: AppId }
    ) => Effect.Effect<void, NotFound>
    /** A new app: a UUID unless `appId` is given (the operator's); refused when that id is taken. */
    readonly create: (
      accountId: AccountId,
      name: typeof AppName.Type,
      appId: AppId | undefined,
      metadata: AppendMetadata
    ) => Effect.Effect<App, AppAlreadyExists>
    /** Which of these apps do not exist in the account (a token may only name apps that do). */
    readonly missing: (accountId: AccountId, appIds: ReadonlyArray<AppId>) => Effect.Effect<ReadonlyArray<AppId>>
  }
>()("@onair/adapters-http/KnownApps") {
  static readonly make = Effect.gen(function* () {
    const reads = yield* AppReads
    const commands = yield* AppCommands
    const catalog = yield* CatalogReads

    const create = Effect.fn("KnownApps.create")(function* (
      accountId: AccountId,
      name: string,
      appId: AppId | undefined,
      metadata: AppendMetadata,
      origin: "created" | "existing" = "created"
    ) {
      const id = appId ?? AppId.make(crypto.randomUUID())
      const decided = yield* commands
        .handle({ _tag: "CreateApp", accountId, appId: id, name, origin, at: yield* currentTimestamp }, metadata)
        .pipe(
          awaitReadModel(catalog),
          // The store failing or a conflict that outlasted the retries is the server's fault.
          Effect.catchIf((error) => error._tag !== "AppAlreadyExists", Effect.die)
        )
      return decided.state!
    })

    const ensure = Effect.fn("KnownApps.ensure")(function* (
      token: AccessToken,
      scope: { readonly accountId: AccountId; readonly appId: AppId }
    ) {
      if ((yield* reads.app(scope.accountId, scope.appId)) !== undefined) return
      const named = token.appIds.some((id) => id === scope.appId)
      if (!named && !(yield* reads.usedBefore(scope)))
        return yield* notFound(`app ${scope.appId} of account ${scope.accountId}`)
      const metadata = originMetadata(`first-use:${crypto.randomUUID()}`, `token:${token.id}`, yield* currentTimestamp)
      // Another request may register it first: AppAlreadyExists says it exists, which is all this asks.
      yield* Effect.ignore(create(scope.accountId, scope.appId, scope.appId, metadata, "existing"))
    })

    return KnownApps.of({
      ensure,
      create: (accountId, name, appId, metadata) => create(accountId, name, appId, metadata),
      missing: (accountId, appIds) =>
        Effect.map(
          Effect.forEach(appIds, (id) =>
            Effect.map(reads.app(accountId, id), (app) => (app === undefined ? [id] : []))
          ),
          (found) => found.flat()
        )
    })
  })

  static readonly layer = Layer.effect(KnownApps, KnownApps.make)
}
