/**
 * The embedded default: PGlite (PostgreSQL compiled to WebAssembly, in this process) with its data under
 * a directory, served with the Postgres wire protocol so that `@effect/sql-pg` talks to it exactly as to a
 * server and the event store runs the same SQL on both.
 *
 * Nobody but this process's user reaches it: the data directory is 0700 and every file in it owner-only,
 * and the wire protocol is served on a unix socket inside it (`<dataDir>/run/.s.PGSQL.5432`), not on a
 * TCP port that any local user could connect to without a password. Only where that path would be too
 * long for a socket does it fall back to a loopback port.
 *
 * One PGlite is one Postgres session, so the client keeps one connection; statements queue. A lock file
 * keeps a second process off the same directory, which would corrupt it.
 */
import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { PgClient } from "@effect/sql-pg"
import { Duration, Effect, Layer, Schema } from "effect"
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

/** Unix socket paths are limited to 108 bytes on Linux, the terminating NUL included. */
const MAX_SOCKET_PATH = 107
/** How often files PGlite added are closed up to their owner. */
const PRIVATE_SWEEP = Duration.seconds(30)
/** The port in the socket's name, as Postgres names its sockets; nothing listens on it. */
const SOCKET_PORT = 5432

/**
 * `dir` exists, is 0700, and everything in it is owner-only: PGlite writes its files as 0666 whatever the
 * umask, so what an earlier run (or an older OnAir) left is closed up here too.
 */
const makePrivate = (dir: string) => {
  Fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const close = (path: string) => {
    const stat = Fs.lstatSync(path)
    if (stat.isSymbolicLink()) return
    if ((stat.mode & 0o077) !== 0) Fs.chmodSync(path, stat.mode & 0o700)
    if (stat.isDirectory()) for (const entry of Fs.readdirSync(path)) close(Path.join(path, entry))
  }
  close(dir)
}

/** Takes `<dataDir>/onair.lock` for this process; a lock left by a process that is gone is taken over. */
const lockDataDir = (dataDir: string) => {
  const lockFile = Path.join(dataDir, "onair.lock")
  const take = Effect.try({
    try: () => {
      makePrivate(dataDir)
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

/** Where a client reaches the served database: a socket directory (Postgres' convention) or a loopback port. */
export interface Endpoint {
  readonly host: string
  readonly port: number
}

/** PGlite on `<dataDir>/pglite`, served on a unix socket in `<dataDir>/run`; yields where to connect. */
export const serve = (dataDir: string) =>
  Effect.gen(function* () {
    const absolute = Path.resolve(dataDir)
    yield* lockDataDir(absolute)
    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => PGlite.create({ dataDir: Path.join(absolute, "pglite") }),
        catch: (error) => new EmbeddedDatabaseFailed({ dataDir: absolute, message: String(error) })
      }),
      (db) =>
        Effect.promise(() => db.close()).pipe(Effect.ignore, Effect.andThen(Effect.sync(() => makePrivate(absolute))))
    )
    // PGlite has written its files by now: close them up before anything else runs, and again now and
    // then for the files it adds (the folder's 0700 keeps others out of those meanwhile).
    yield* Effect.try({
      try: () => makePrivate(absolute),
      catch: (error) => new EmbeddedDatabaseFailed({ dataDir: absolute, message: String(error) })
    })
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.andThen(Effect.sleep(PRIVATE_SWEEP), Effect.try(() => makePrivate(absolute)).pipe(Effect.ignore))
      )
    )
    const socketDir = Path.join(absolute, "run")
    const socket = Path.join(socketDir, `.s.PGSQL.${SOCKET_PORT}`)
    const onSocket = Buffer.byteLength(socket) <= MAX_SOCKET_PATH
    return yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          if (onSocket) {
            Fs.mkdirSync(socketDir, { recursive: true, mode: 0o700 })
            // A socket left by a killed run would refuse the bind; the lock says no process holds it.
            Fs.rmSync(socket, { force: true })
          }
          const server = new PGLiteSocketServer(
            onSocket ? { db, path: socket, maxConnections: 1 } : { db, host: "127.0.0.1", port: 0, maxConnections: 1 }
          )
          await server.start()
          return server
        },
        catch: (error) => new EmbeddedDatabaseFailed({ dataDir: absolute, message: String(error) })
      }),
      (server) => Effect.promise(() => server.stop()).pipe(Effect.ignore)
    ).pipe(
      Effect.tap((server) =>
        onSocket
          ? Effect.void
          : Effect.logWarning(
              `embedded database: ${socket} is too long for a unix socket; serving on ${server.getServerConn()}`
            )
      ),
      Effect.map((server): Endpoint => {
        if (onSocket) return { host: socketDir, port: SOCKET_PORT }
        const [host, port] = server.getServerConn().split(":")
        return { host: host!, port: Number(port) }
      })
    )
  })

/** A `PgClient`/`SqlClient` on the embedded database in `dataDir`. */
export const layer = (dataDir: string) =>
  Layer.unwrap(
    Effect.map(serve(dataDir), (endpoint) =>
      PgClient.layer({
        host: endpoint.host,
        port: endpoint.port,
        username: "postgres",
        database: "postgres",
        maxConnections: 1
      })
    )
  )
