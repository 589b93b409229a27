/**
 * The loop every background worker runs (timers, the outbox, the catalog's follower): while its rounds
 * fail it pauses twice as long each time, up to the most, and says so once per outage; when a round works
 * again it says so once and goes back to its own pace. Time is the TestClock's: the pauses are asserted to
 * the millisecond without waiting for them.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Logger } from "effect"
import { TestClock } from "effect/testing"
import { backingOffLoop } from "../src/BackingOffLoop.ts"

/** A loop whose rounds fail while `down()` says so, recording when each round ran and what was logged. */
const observedLoop = (down: () => boolean) => {
  const rounds: Array<number> = []
  const logged: Array<string> = []
  const loop = backingOffLoop({
    round: Effect.gen(function* () {
      rounds.push(yield* Clock.currentTimeMillis)
      if (down()) return yield* Effect.fail("the database is away")
      return "done"
    }),
    then: () => Effect.sleep(Duration.seconds(5)),
    pause: Duration.millis(100),
    maxPause: Duration.seconds(1),
    failing: (error) => `failing: ${error}`,
    recovered: "recovered"
  }).pipe(Effect.provide(Logger.layer([Logger.make((options) => logged.push(String(options.message)))])))
  return { rounds, logged, loop }
}

describe("backing-off loop", () => {
  it.effect("pauses twice as long after each failed round, up to the most, and says so once per outage", () =>
    Effect.gen(function* () {
      let down = true
      const { rounds, logged, loop } = observedLoop(() => down)
      const fiber = yield* Effect.forkChild(loop)
      // Five failed rounds: 200, 400, 800, then the most (1 s), twice.
      yield* TestClock.adjust(Duration.millis(3_400))
      assert.deepStrictEqual(rounds, [0, 200, 600, 1_400, 2_400, 3_400])
      assert.deepStrictEqual(logged, ["failing: the database is away"])

      // Back: the next round (1 s on) works, says so once, and the loop returns to its pace (5 s).
      down = false
      yield* TestClock.adjust(Duration.millis(1_000))
      yield* TestClock.adjust(Duration.seconds(10))
      assert.deepStrictEqual(rounds.slice(6), [4_400, 9_400, 14_400])
      assert.deepStrictEqual(logged, ["failing: the database is away", "recovered"])

      // A second outage starts from the shortest pause again, and is told again, once.
      down = true
      yield* TestClock.adjust(Duration.seconds(5))
      yield* TestClock.adjust(Duration.millis(200))
      assert.deepStrictEqual(rounds.slice(9), [19_400, 19_600])
      assert.deepStrictEqual(logged, ["failing: the database is away", "recovered", "failing: the database is away"])
      yield* Fiber.interrupt(fiber)
    })
  )

  it.effect("never pauses longer than the most, however long the outage", () =>
    Effect.gen(function* () {
      const { rounds, loop } = observedLoop(() => true)
      const fiber = yield* Effect.forkChild(loop)
      yield* TestClock.adjust(Duration.minutes(10))
      const pauses = rounds.slice(1).map((at, index) => at - rounds[index]!)
      assert.isAtMost(Math.max(...pauses), 1_000)
      // 1.4 s to reach the most, then one round a second.
      assert.strictEqual(rounds.length, 4 + Math.floor((600_000 - 1_400) / 1_000))
      yield* Fiber.interrupt(fiber)
    })
  )
})
