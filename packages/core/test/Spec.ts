/**
 * Given/when/then for deciders (Emmett's DeciderSpecification): given past events, when a command,
 * then these events, or then this error and nothing else.
 */
import { assert } from "@effect/vitest"
import { Result } from "effect"
import { type Decider, fold } from "../src/Decider.ts"

export const spec = <C, E, S, X extends { readonly _tag: string }>(decider: Decider<C, E, S, X>) => ({
  given: (...history: ReadonlyArray<E>) => ({
    when: (command: C) => {
      const state = fold(decider, history)
      const result = decider.decide(command, state)
      return {
        then: (...expected: ReadonlyArray<E>) => {
          if (Result.isFailure(result)) assert.fail(`expected events, got ${result.failure._tag}`)
          assert.deepStrictEqual(result.success, expected)
          return fold(decider, result.success, state)
        },
        thenFails: (tag: X["_tag"], fields: Partial<X> = {}) => {
          if (Result.isSuccess(result)) assert.fail(`expected ${tag}, got ${JSON.stringify(result.success)}`)
          assert.strictEqual(result.failure._tag, tag)
          for (const [key, value] of Object.entries(fields)) {
            assert.deepStrictEqual((result.failure as Record<string, unknown>)[key], value)
          }
        }
      }
    }
  })
})
