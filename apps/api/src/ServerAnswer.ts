/**
 * Where the CLIs run a command: the running server that holds the embedded database (which one process at
 * a time may open) through its admin endpoint, else the store itself. The server's answer is taken when it
 * gave one (a refusal in the API's envelope becomes the CLI's error, with the server's message); when no
 * server answered, the CLI opens the store.
 */
import { Database } from "@onair/event-store"
import { Config, Effect, Option } from "effect"
import * as LocalAdmin from "./LocalAdmin.ts"

interface Envelope {
  readonly errors: ReadonlyArray<{ readonly message: string }>
}

const isEnvelope = (error: unknown): error is Envelope =>
  typeof error === "object" && error !== null && Array.isArray((error as { errors?: unknown }).errors)

export const answeredByServer = <A, E, R>(call: Effect.Effect<A, E, R>): Effect.Effect<A | undefined, Error, R> =>
  Effect.flatMap(Effect.result(call), (result) => {
    if (result._tag === "Success") return Effect.succeed(result.success)
    const failure: unknown = result.failure
    return isEnvelope(failure)
      ? Effect.fail(new Error(failure.errors.map((e) => e.message).join("; ")))
      : Effect.succeed(undefined)
  })

/** The command through the server holding the embedded database if one does, else on the store itself. */
export const onServerOrStore = <A, E1, R1, E2, R2>(
  throughServer: (admin: LocalAdmin.LocalAdmin) => Effect.Effect<A, E1, R1>,
  direct: (choice: Database.DatabaseChoice) => Effect.Effect<A, E2, R2>
) =>
  Effect.gen(function* () {
    const choice = yield* Database.choiceFromEnv
    const file = choice._tag === "Embedded" ? LocalAdmin.read(choice.dataDir) : undefined
    if (file !== undefined) {
      // The server's own token is in the file; one the operator gave it is in the operator's environment.
      const given = yield* Config.option(Config.String("ONAIR_ADMIN_TOKEN"))
      const adminToken = file.adminToken ?? Option.getOrNull(Option.filter(given, (token) => token !== ""))
      if (adminToken === null) {
        return yield* Effect.fail(
          new Error(
            `the server at ${file.url} holds the database and takes the admin token it was given in ONAIR_ADMIN_TOKEN, ` +
              "which is never written to disk: set ONAIR_ADMIN_TOKEN for this command too"
          )
        )
      }
      const viaServer = yield* answeredByServer(throughServer({ url: file.url, adminToken }))
      if (viaServer !== undefined) return viaServer
    }
    return yield* direct(choice)
  })
