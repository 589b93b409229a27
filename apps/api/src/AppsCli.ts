/**
 * `onair apps create --account <id> --name <name> [--id <id>]`: makes an app (a new UUID unless `--id`
 * gives one, for an app carried over from elsewhere) and prints its id alone on stdout, so
 * `APP=$(./onair apps create …)` works.
 *
 * With PostgreSQL, or with the embedded database when no server holds it, the CLI opens the store itself.
 * When a server holds the embedded database, it calls that server's admin endpoint (LocalAdmin).
 */
import { KnownApps } from "@onair/adapters-http"
import { OnAirClient } from "@onair/client"
import { AccountId, AppId, AppName, originMetadata, Timestamp } from "@onair/core"
import type { Database } from "@onair/event-store"
import { Clock, Effect, Schema } from "effect"
import { idReader, readFlags } from "./CliFlags.ts"
import type * as LocalAdmin from "./LocalAdmin.ts"
import { onServerOrStore } from "./ServerAnswer.ts"
import { services } from "./Services.ts"

export const USAGE = "usage: onair apps create --account <id> --name <name> [--id <id>]"

export interface AppsCommand {
  readonly accountId: AccountId
  readonly name: string
  readonly appId: AppId | undefined
}

/** The command the arguments name, or what is wrong with them. */
export const parse = (args: ReadonlyArray<string>): AppsCommand | string => {
  const [verb, ...rest] = args
  if (verb !== "create") return `unknown command ${verb ?? "(none)"}`
  let accountId: AccountId | undefined
  let appId: AppId | undefined
  let name: string | undefined
  const wrong = readFlags(rest, {
    "--account": idReader(AccountId, "--account", "an account id", (id) => (accountId = id)),
    "--id": idReader(AppId, "--id", "an app id", (id) => (appId = id)),
    "--name": (value) => {
      if (!Schema.is(AppName)(value)) return "--name: 1 to 255 characters, not only spaces"
      name = value
      return undefined
    }
  })
  if (wrong !== undefined) return wrong
  if (accountId === undefined) return "--account is required"
  if (name === undefined) return "--name is required"
  return { accountId, name, appId }
}

const direct = (command: AppsCommand, choice: Database.DatabaseChoice) =>
  Effect.gen(function* () {
    const apps = yield* KnownApps
    const at = Timestamp.make(yield* Clock.currentTimeMillis)
    const app = yield* apps
      .create(command.accountId, command.name, command.appId, originMetadata(`cli:${crypto.randomUUID()}`, "cli", at))
      .pipe(
        Effect.catchTag("AppAlreadyExists", (taken) =>
          Effect.fail(new Error(`app ${taken.appId} already exists in account ${taken.accountId}`))
        )
      )
    return app.id
  }).pipe(Effect.provide(services(choice)), Effect.scoped)

/** The same command, asked of the running server through its admin endpoint with the typed client. */
const throughServer = (command: AppsCommand, admin: LocalAdmin.LocalAdmin) =>
  Effect.flatMap(Effect.service(OnAirClient), (client) =>
    Effect.map(
      client.admin.createAppAsAdmin({
        params: { account_id: command.accountId },
        payload: { name: command.name, ...(command.appId === undefined ? {} : { id: command.appId }) }
      }),
      (created) => created.data.app.id
    )
  ).pipe(Effect.provide(OnAirClient.layer({ baseUrl: admin.url, token: "", adminToken: admin.adminToken })))

export const run = (command: AppsCommand) =>
  onServerOrStore(
    (admin) => throughServer(command, admin),
    (choice) => direct(command, choice)
  )
