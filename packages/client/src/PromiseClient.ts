/**
 * The client for teams that do not use Effect: the same endpoints as `OnAirClient`, each returning a
 * Promise. A refusal rejects with the envelope's typed error (`BadRequest`, `Unauthorized`, `NotFound`,
 * `Conflict`, `Forbidden`: `error.errors[0].code` and `.message`), anything else with the error that
 * happened (the network, a body that does not decode).
 *
 *   const onair = createOnAirClient({ baseUrl: "http://localhost:8787", token })
 *   const created = await onair.livestreams.createIndependentLivestream({
 *     params: { account_id, app_id }, payload: { name: "launch" }, headers: {}
 *   })
 *   await onair.close()
 */
import { Cause, Effect, Exit, ManagedRuntime } from "effect"
import type { HttpClientResponse } from "effect/http"
import { OnAirClient, type OnAirClientOptions } from "./OnAirClient.ts"

type EffectClient = OnAirClient["Service"]

/** Each group's endpoints, returning Promises of what the Effect client's would succeed with. */
export type OnAirPromiseClient = {
  readonly [G in keyof EffectClient]: {
    readonly [E in keyof EffectClient[G]]: EffectClient[G][E] extends (
      ...args: infer Args
    ) => Effect.Effect<infer A, infer _E, infer _R>
      ? // The decoded body (the Effect client's `withResponse` variants are not offered here).
        (
          ...args: Args
        ) => Promise<
          Exclude<A, HttpClientResponse.HttpClientResponse | readonly [unknown, HttpClientResponse.HttpClientResponse]>
        >
      : never
  }
} & {
  /** Lets go of the client's connections. */
  readonly close: () => Promise<void>
}

export const createOnAirClient = (options: OnAirClientOptions): OnAirPromiseClient => {
  const runtime = ManagedRuntime.make(OnAirClient.layer(options))
  const run = <A, E>(effect: Effect.Effect<A, E, OnAirClient>) =>
    runtime.runPromiseExit(effect).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      // The typed failure itself when there is one; otherwise what went wrong.
      const failure = Cause.findErrorOption(exit.cause)
      throw failure._tag === "Some" ? failure.value : Cause.squash(exit.cause)
    })
  const groups = new Proxy({} as Record<string, unknown>, {
    get: (_target, group) =>
      group === "close"
        ? () => runtime.dispose()
        : new Proxy(
            {},
            {
              get:
                (_inner, endpoint) =>
                (...args: Array<unknown>) =>
                  run(
                    Effect.flatMap(Effect.service(OnAirClient), (client) => {
                      const method = (
                        client as unknown as Record<
                          string,
                          Record<string, (...a: Array<unknown>) => Effect.Effect<unknown, unknown>>
                        >
                      )[String(group)]?.[String(endpoint)]
                      return method === undefined
                        ? Effect.die(new Error(`no endpoint ${String(group)}.${String(endpoint)}`))
                        : method(...args)
                    })
                  )
            }
          )
  })
  return groups as unknown as OnAirPromiseClient
}
