/**
 * How the media node restarts what it supervises (nginx): 1 s after the first end, doubling to 30 s, and
 * back to 1 s once a run has lasted a minute. On the TestClock: the restarts are asserted to the
 * millisecond without waiting for them.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { NGINX_RESTARTS, nextPause, restartForever, WORKER_RESTARTS } from "../src/node/RestartLoop.ts"

describe("restart loop", () => {
  it.effect("restarts a process that keeps failing 1, 2, 4 … 30 s apart, then a healthy one after 1 s again", () =>
    Effect.gen(function* () {
      const starts: Array<number> = []
      const ends: Array<{ readonly ranFor: number; readonly restartIn: number; readonly failed: boolean }> = []
      // Runs 1–7 fail at once; run 8 runs 90 s and exits; run 9 fails at once again.
      const run = Effect.gen(function* () {
        starts.push(yield* Clock.currentTimeMillis)
        if (starts.length === 8) return yield* Effect.sleep(Duration.seconds(90))
        return yield* Effect.fail("cannot start")
      })
      const fiber = yield* Effect.forkChild(
        restartForever(NGINX_RESTARTS, run, ({ exit, ranFor, restartIn }) =>
          Effect.sync(() => ends.push({ ranFor, restartIn, failed: Exit.isFailure(exit) }))
        )
      )
      yield* TestClock.adjust(Duration.seconds(1 + 2 + 4 + 8 + 16 + 30 + 30 + 90 + 1))
      assert.deepStrictEqual(
        starts,
        [0, 1, 3, 7, 15, 31, 61, 91, 182].map((seconds) => seconds * 1_000)
      )
      assert.deepStrictEqual(
        ends.map((end) => end.restartIn / 1_000),
        [1, 2, 4, 8, 16, 30, 30, 1, 2]
      )
      assert.deepStrictEqual(ends[7], { ranFor: 90_000, restartIn: 1_000, failed: false })
      yield* Fiber.interrupt(fiber)
    })
  )

  it("a worker's pause doubles from 2 s to 30 s, and is 2 s again after a run of more than a minute", () => {
    const pauses = [2_000]
    for (let i = 0; i < 6; i++) pauses.push(nextPause(WORKER_RESTARTS, pauses.at(-1)!, 5_000))
    assert.deepStrictEqual(pauses, [2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000])
    assert.strictEqual(nextPause(WORKER_RESTARTS, 30_000, 61_000), 2_000)
    assert.strictEqual(nextPause(WORKER_RESTARTS, 8_000, 60_000), 16_000)
  })
})
