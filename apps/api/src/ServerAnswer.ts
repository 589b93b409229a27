/**
 * How the CLIs treat the running server's answer: its answer when it gave one (a refusal in the API's
 * envelope becomes the CLI's error, with the server's message), undefined when no server answered (then the
 * CLI opens the store itself).
 */
import { Effect } from "effect"

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
