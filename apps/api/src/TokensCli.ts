/**
 * `onair tokens create --account <id> [--app <id>]... [--label <text>]` and `onair tokens revoke <token id>`.
 * Each `--app` must name an app that exists (`onair apps create`); none: a token for every app of the account.
 * The token goes to stdout alone, so `TOKEN=$(pnpm -s onair tokens create …)` works; the rest to stderr.
 *
 * With PostgreSQL, or with the embedded database when no server holds it, the CLI opens the store itself.
 * When a server holds the embedded database, it calls that server's admin endpoint (LocalAdmin).
 */
import { KnownApps } from "@onair/adapters-http"
import { AccessTokens } from "@onair/application"
import { OnAirClient } from "@onair/client"
import { AccessTokenId, AccountId, AppId, originMetadata, Timestamp } from "@onair/core"
import type { Database } from "@onair/event-store"
import { Clock, Effect, Schema } from "effect"
import { idReader, readFlags } from "./CliFlags.ts"
import type * as LocalAdmin from "./LocalAdmin.ts"
import { onServerOrStore } from "./ServerAnswer.ts"
import { services } from "./Services.ts"

export const USAGE = `usage: onair tokens create --account <id> [--app <id>]... [--label <text>]
       onair tokens revoke <token id>`

export type TokensCommand =
  | {
      readonly _tag: "Create"
      readonly accountId: AccountId
      readonly appIds: ReadonlyArray<AppId>
      readonly label: string | null
    }
  | { readonly _tag: "Revoke"; readonly tokenId: AccessTokenId }

/** The command the arguments name, or what is wrong with them. */
export const parse = (args: ReadonlyArray<string>): TokensCommand | string => {
  const [verb, ...rest] = args
  if (verb === "revoke") {
    const tokenId = Schema.decodeUnknownOption(AccessTokenId)(rest[0])
    return rest.length === 1 && tokenId._tag === "Some"
      ? { _tag: "Revoke", tokenId: tokenId.value }
      : "revoke takes one token id (tok_…)"
  }
  if (verb !== "create") return `unknown command ${verb ?? "(none)"}`
  let accountId: AccountId | undefined
  const appIds: Array<AppId> = []
  let label: string | null = null
  const wrong = readFlags(rest, {
    "--account": idReader(AccountId, "--account", "an account id", (id) => (accountId = id)),
    "--app": idReader(AppId, "--app", "an app id", (id) => appIds.push(id)),
    "--label": (value) => {
      label = value
      return undefined
    }
  })
  if (wrong !== undefined) return wrong
  return accountId === undefined ? "--account is required" : { _tag: "Create", accountId, appIds, label }
}

const metadata = (at: Timestamp) => originMetadata(`cli:${crypto.randomUUID()}`, "cli", at)

const direct = (command: TokensCommand, choice: Database.DatabaseChoice) =>
  Effect.gen(function* () {
    const tokens = yield* AccessTokens
    const at = Timestamp.make(yield* Clock.currentTimeMillis)
    if (command._tag === "Revoke") {
      yield* tokens.revoke(command.tokenId, metadata(at))
      return `token ${command.tokenId} is revoked`
    }
    const missing = yield* (yield* KnownApps).missing(command.accountId, command.appIds)
    if (missing.length > 0) {
      return yield* Effect.fail(
        new Error(
          `app ${missing.join(", ")} of account ${command.accountId} was not found: make it with onair apps create`
        )
      )
    }
    const issued = yield* tokens.issue(command, metadata(at))
    return issued.token
  }).pipe(Effect.provide(services(choice)), Effect.scoped)

/** The same command, asked of the running server through its admin endpoint with the typed client. */
const throughServer = (command: TokensCommand, admin: LocalAdmin.LocalAdmin) =>
  Effect.flatMap(Effect.service(OnAirClient), (client) =>
    command._tag === "Create"
      ? Effect.map(
          client.admin.createToken({
            params: { account_id: command.accountId },
            payload: { apps: command.appIds, label: command.label }
          }),
          (created) => created.data.token
        )
      : Effect.map(
          client.admin.revokeToken({ params: { token_id: command.tokenId } }),
          (revoked) => revoked.data.message
        )
  ).pipe(Effect.provide(OnAirClient.layer({ baseUrl: admin.url, token: "", adminToken: admin.adminToken })))

export const run = (command: TokensCommand) =>
  onServerOrStore(
    (admin) => throughServer(command, admin),
    (choice) => direct(command, choice)
  )
