/**
 * One runtime per suite around a fresh store: `beforeAll` builds it, `afterAll` disposes of it (dropping
 * the database or removing the data directory).
 */
import type { EventStore } from "@onair/core"
import { type Effect, ManagedRuntime } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import { afterAll, beforeAll } from "vitest"
import type { Database, SecretKeyring } from "@onair/event-store"
import { freshStore, type StoreKind } from "./TestDatabases.ts"

export interface StoreRuntime {
  readonly run: <A, E>(effect: Effect.Effect<A, E, EventStore | SqlClient | SecretKeyring>) => Promise<A>
}

export const useStore = (kind: StoreKind, options?: Database.DatabaseOptions): StoreRuntime => {
  let runtime: ManagedRuntime.ManagedRuntime<EventStore | SqlClient | SecretKeyring, unknown> | undefined
  beforeAll(async () => {
    runtime = ManagedRuntime.make(freshStore(kind, options))
    await runtime.context()
  })
  afterAll(async () => {
    await runtime?.dispose()
  })
  return {
    run: (effect) => {
      if (runtime === undefined) throw new Error("the store runtime is not ready")
      return runtime.runPromise(effect)
    }
  }
}
