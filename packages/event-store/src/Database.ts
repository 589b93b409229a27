/**
 * Which database the event log lives in: PostgreSQL when `DATABASE_URL` is set, otherwise the embedded
 * PGlite under `ONAIR_DATA_DIR` (default `./.onair`). Either way the schema is migrated before the store
 * is handed out.
 */
import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import * as EmbeddedDatabase from "./EmbeddedDatabase.ts"
import { SecretKeyring } from "./SecretKeyring.ts"
import * as SqlEventStore from "./SqlEventStore.ts"

export type DatabaseChoice =
  | { readonly _tag: "Postgres"; readonly url: Redacted.Redacted }
  | { readonly _tag: "Embedded"; readonly dataDir: string }

export const DEFAULT_DATA_DIR = "./.onair"

export const choiceFromEnv = Effect.gen(function* () {
  // An empty DATABASE_URL counts as unset, as shells and env files often leave it.
  const url = Option.filter(
    yield* Config.option(Config.Redacted("DATABASE_URL")),
    (url) => Redacted.value(url).trim() !== ""
  )
  const dataDir = yield* Config.String("ONAIR_DATA_DIR").pipe(Config.withDefault(DEFAULT_DATA_DIR))
  return Option.match(url, {
    onNone: (): DatabaseChoice => ({ _tag: "Embedded", dataDir }),
    onSome: (url): DatabaseChoice => ({ _tag: "Postgres", url })
  })
})

/** PostgreSQL through a pool; `maxConnections` defaults to 16. */
export const postgres = (url: Redacted.Redacted, options?: { readonly maxConnections?: number }) =>
  PgClient.layer({ url, maxConnections: options?.maxConnections ?? 16 })

export interface DatabaseOptions {
  /** Pool size on PostgreSQL (default 16); the embedded database always has one connection. */
  readonly maxConnections?: number
}

export const sqlLayer = (choice: DatabaseChoice, options?: DatabaseOptions) =>
  choice._tag === "Postgres" ? postgres(choice.url, options) : EmbeddedDatabase.layer(choice.dataDir)

/**
 * The keyring secrets are stored under: `ONAIR_SECRET_KEY`, or the key file in the data directory
 * (`ONAIR_DATA_DIR` when the log is on PostgreSQL).
 */
export const keyringLayer = (choice: DatabaseChoice) =>
  choice._tag === "Embedded"
    ? SecretKeyring.fromEnv(choice.dataDir)
    : Layer.unwrap(
        Effect.map(Config.String("ONAIR_DATA_DIR").pipe(Config.withDefault(DEFAULT_DATA_DIR)), (dataDir) =>
          SecretKeyring.fromEnv(dataDir)
        )
      )

/** The EventStore on the database `choice` names, migrated; with the SqlClient for projections. */
export const layer = (choice: DatabaseChoice, options?: DatabaseOptions) =>
  Layer.provideMerge(
    // The embedded database is locked to this process: every append goes through this store.
    SqlEventStore.layer({ soleWriter: choice._tag === "Embedded" }),
    Layer.merge(sqlLayer(choice, options), keyringLayer(choice))
  )
