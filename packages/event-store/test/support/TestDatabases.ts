/**
 * Fresh databases for tests: a new database on the test PostgreSQL server, or a new embedded data
 * directory, each removed when its scope closes.
 */
import { PgClient } from "@effect/sql-pg"
import { Database } from "@onair/event-store"
import { Effect, Layer, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { seedEmbeddedDatabase } from "@onair/test-support"
import { inject } from "vitest"

// Stores on the test server keep their secrets under one fixed test key (the embedded ones make their own).
process.env["ONAIR_SECRET_KEY"] ??= Buffer.alloc(32, 7).toString("base64")

export type StoreKind = "postgres" | "embedded"
export const STORE_KINDS: ReadonlyArray<StoreKind> = ["postgres", "embedded"]

const adminUrl = () => inject("postgresUrl")

const withDatabase = (url: string, database: string) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

const adminClient = PgClient.layer({ url: Redacted.make(adminUrl()), maxConnections: 1 })

/** A new, empty database on the test server; dropped when the scope closes. Yields its URL. */
export const freshPostgresUrl = Effect.acquireRelease(
  Effect.gen(function* () {
    const name = `onair_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
    const sql = yield* PgClient.PgClient
    yield* sql.unsafe(`CREATE DATABASE ${name}`)
    return { name, url: withDatabase(adminUrl(), name) }
  }).pipe(Effect.provide(adminClient)),
  ({ name }) =>
    Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      yield* sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    }).pipe(Effect.provide(adminClient), Effect.ignore)
).pipe(Effect.map(({ url }) => url))

/** A new, empty directory under the system's temp directory; removed when the scope closes. */
export const freshDataDir = Effect.acquireRelease(
  Effect.promise(async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-embedded-"))
    await seedEmbeddedDatabase(dir)
    return dir
  }),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

/** An EventStore (and its SqlClient) on a fresh database of the given kind. */
export const freshStore = (kind: StoreKind, options?: Database.DatabaseOptions) =>
  Layer.unwrap(
    kind === "postgres"
      ? Effect.map(freshPostgresUrl, (url) => Database.layer({ _tag: "Postgres", url: Redacted.make(url) }, options))
      : Effect.map(freshDataDir, (dataDir) => Database.layer({ _tag: "Embedded", dataDir }))
  )

/** The embedded store on `dataDir` as `Database.layer` makes it, started from the initialised template. */
export const embeddedDatabase = (dataDir: string, options?: Database.DatabaseOptions) =>
  Layer.unwrap(
    Effect.promise(() => seedEmbeddedDatabase(dataDir)).pipe(
      Effect.as(Database.layer({ _tag: "Embedded", dataDir }, options))
    )
  )
