/**
 * `onair secrets new-key` prints a new deployment key (for `ONAIR_SECRET_KEY`).
 * `onair secrets rewrap` re-encrypts every secret in the log under the first key of `ONAIR_SECRET_KEY`
 * (or the data directory's key file), reading them with any key of the ring: the middle step of a key
 * rotation. The catalog's tables, which hold stream keys sealed and looked up by a keyed hash, are then
 * rebuilt under the new key. On the embedded database the main job must be stopped first (it holds the
 * database).
 */
import { CatalogMigrations, CatalogTables } from "@onair/catalog"
import { newKeyText, Projection, SecretKeyring, SecretRewrap } from "@onair/event-store"
import { Effect } from "effect"
import { onDatabase } from "./OnDatabase.ts"

export const USAGE = `usage: onair secrets new-key
       onair secrets rewrap`

export type SecretsCommand = "new-key" | "rewrap"

export const parse = (args: ReadonlyArray<string>): SecretsCommand | string =>
  args.length === 1 && (args[0] === "new-key" || args[0] === "rewrap")
    ? args[0]
    : `unknown command ${args.join(" ") || "(none)"}`

export const run = (command: SecretsCommand) =>
  Effect.gen(function* () {
    if (command === "new-key") return newKeyText()
    return yield* onDatabase(
      Effect.gen(function* () {
        const keyring = yield* SecretKeyring
        const done = yield* SecretRewrap.run
        yield* CatalogMigrations.run
        yield* Projection.rebuild(CatalogTables.projection)
        return (
          `${done.rewrapped} of ${done.examined} events with secrets re-encrypted under key ${keyring.currentKeyId}\n` +
          `${CatalogTables.PROJECTION}: rebuilt under key ${keyring.currentKeyId}`
        )
      })
    )
  })
