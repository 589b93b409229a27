/**
 * `onair secrets new-key` prints a new deployment key (for `ONAIR_SECRET_KEY`).
 * `onair secrets rewrap` re-encrypts every secret in the log under the first key of `ONAIR_SECRET_KEY`
 * (or the data directory's key file), reading them with any key of the ring: the middle step of a key
 * rotation. On the embedded database the main job must be stopped first (it holds the database).
 */
import { newKeyText, SecretKeyring, SecretRewrap } from "@onair/event-store"
import { Effect } from "effect"
import { onDatabase } from "./OnDatabase.ts"

export const USAGE = `usage: onair secrets new-key
       onair secrets rewrap`

export type SecretsCommand = "new-key" | "rewrap"

export const parse = (args: ReadonlyArray<string>): SecretsCommand | string =>
  args.length === 1 && (args[0] === "new-key" || args[0] === "rewrap") ? args[0] : `unknown command ${args.join(" ") || "(none)"}`

export const run = (command: SecretsCommand) =>
  Effect.gen(function*() {
    if (command === "new-key") return newKeyText()
    return yield* onDatabase(Effect.gen(function*() {
      const keyring = yield* SecretKeyring
      const done = yield* SecretRewrap.run
      return `${done.rewrapped} of ${done.examined} events with secrets re-encrypted under key ${keyring.currentKeyId}`
    }))
  })
