import { type BroadcastLimits, DEFAULT_BROADCAST_LIMITS } from "@onair/core"
import { Config, Context, Effect, Layer, Schema } from "effect"

/**
 * The timers every new broadcast runs under (fixed into the livestream when it is created):
 * `ONAIR_START_TIMEOUT_SECONDS` (default 3600) and `ONAIR_MAX_BROADCAST_SECONDS` (default 43200, 12 h).
 */
export class BroadcastLimitsConfig extends Context.Service<BroadcastLimitsConfig, BroadcastLimits>()(
  "@onair/application/BroadcastLimitsConfig"
) {
  static readonly layer = Layer.effect(
    BroadcastLimitsConfig,
    Effect.gen(function* () {
      const seconds = (name: string, fallback: number) =>
        Config.schema(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 7 * 86_400 }))), name).pipe(
          Config.withDefault(fallback)
        )
      return {
        startTimeoutSeconds: yield* seconds(
          "ONAIR_START_TIMEOUT_SECONDS",
          DEFAULT_BROADCAST_LIMITS.startTimeoutSeconds
        ),
        maxDurationSeconds: yield* seconds("ONAIR_MAX_BROADCAST_SECONDS", DEFAULT_BROADCAST_LIMITS.maxDurationSeconds)
      }
    })
  )
}
