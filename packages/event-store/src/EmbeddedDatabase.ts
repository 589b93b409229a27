/**
 * The embedded default: PGlite (PostgreSQL compiled to WebAssembly, in this process) with its data under
 * a directory, served on a loopback port with the Postgres wire protocol so that `@effect/sql-pg` talks to
 * it exactly as to a server and the event store runs the same SQL on both.
 *
 * One PGlite is one Postgres session, so the client keeps one connection; statements queue. A lock file
 * keeps a second process off the same directory, which would corrupt it.
 */
import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted, Schema } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"

export class EmbeddedDatabaseFailed extends Schema.TaggedError<EmbeddedDatabaseFailed>()("EmbeddedDatabaseFailed", {
  dataDir: Schema.String,
  message: Schema.String
}) {}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Takes `<dataDir>/onair.lock` for this process; a lock left by a process that is gone is taken over. */
const lockDataDir = (dataDir: string) => {
  const lockFile = Path.join(dataDir, "onair.lock")
  const take = Effect.try({
    try: () => {
      Fs.mkdirSync(dataDir, { recursive: true })
      for (;;) {
        try {
          Fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" })
          return
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
          const holder = Number(Fs.readFileSync(lockFile, "utf8").trim())
          if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
            throw new Error(`the data directory is in use by process ${holder} (lock file ${lockFile})`)
          }
          Fs.rmSync(lockFile, { force: true })
        }
      }
    },
    catch: (error) => new EmbeddedDatabaseFailed({ dataDir, message: (error as Error).message })
  })
  return Effect.acquireRelease(take, () => Effect.sync(() => Fs.rmSync(lockFile, { force: true })))
}

/** PGlite on `<dataDir>/pglite`, served on 127.0.0.1; yields the URL to connect to. */
export const serve = (dataDir: string) =>
  Effect.gen(function*() {
    const absolute = Path.resolve(dataDir)
    yield* lockDataDir(absolute)
    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => PGlite.create({ dataDir: Path.join(absolute, "pglite") }),
        catch: (error) => new EmbeddedDatabaseFailed({ dataDir: absolute, message: String(error) })
      }),
      (db) => Effect.promise(() => db.close()).pipe(Effect.ignore)
    )
    const server = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1 })
          await server.start()
          return server
        },
        catch: (error) => new EmbeddedDatabaseFailed({ dataDir: absolute, message: String(error) })
      }),
      (server) => Effect.promise(() => server.stop()).pipe(Effect.ignore)
    )
    return `postgres://postgres@${server.getServerConn()}/postgres`
  })

/** A `PgClient`/`SqlClient` on the embedded database in `dataDir`. */
export const layer = (dataDir: string) =>
  Layer.unwrap(
    Effect.map(serve(dataDir), (url) => PgClient.layer({ url: Redacted.make(url), maxConnections: 1 }))
  )
