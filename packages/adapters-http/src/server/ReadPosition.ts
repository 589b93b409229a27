/**
 * Read-your-writes across replicas: a request may carry the log position an earlier answer gave it
 * (`onair-log-position`), and waits (up to `POSITION_WAIT`) for this replica's read models to include it.
 */
import { Duration, Effect, Option } from "effect"
import type { HttpServerRequest } from "effect/http"
import { failure } from "./GuardResponses.ts"

export const POSITION_HEADER = "onair-log-position"
/** How long a request waits for this replica's read models to reach the position it carries. */
export const POSITION_WAIT = Duration.seconds(5)

/** The read models this process answers from, as far as something can wait for them. */
export interface ReadModel {
  readonly awaitTransaction: (transaction: number) => Effect.Effect<void>
}

/** Waits until every read model includes `transaction`; false on time-out. */
export const awaitPosition = (readModels: ReadonlyArray<ReadModel>, transaction: number) =>
  Effect.map(
    Effect.timeoutOption(
      Effect.forEach(readModels, (model) => model.awaitTransaction(transaction), { discard: true }),
      POSITION_WAIT
    ),
    Option.isSome
  )

/** The position a request asks to read from: a transaction number, absent, or a 400 when it is none. */
export const positionOf = (request: HttpServerRequest.HttpServerRequest) => {
  const given = request.headers[POSITION_HEADER]
  if (given === undefined) return undefined
  return /^\d{1,19}$/.test(given)
    ? Number(given)
    : failure(400, "invalid_header", `${POSITION_HEADER}: a log position as this API answered it (digits)`)
}
