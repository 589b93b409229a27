/**
 * Where the CLIs run a command: the running server that holds the embedded database (which one process at
 * a time may open) through its admin endpoint, else the store itself. The server's answer is taken when it
 * gave one (a refusal in the API's envelope becomes the CLI's error, with the server's message); when no
 * server answered, the CLI opens the store.
 */
import { Database } from "@onair/event-store"
import { Effect } from "effect"
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
  Effect.gen(function*() {
    const choice = yield* Database.choiceFromEnv
    const admin = choice._tag === "Embedded" ? LocalAdmin.read(choice.dataDir) : undefined
    if (admin !== undefined) {
      const viaServer = yield* answeredByServer(throughServer(admin))
      if (viaServer !== undefined) return viaServer
    }
    return yield* direct(choice)
  })
