/**
 * The deployment's SRT ingest, as the control plane gives it out:
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `ONAIR_SRT_PORTS` | unset (SRT off) | the ports livestreams' SRT listeners take, e.g. `10000-10099`: one per livestream with SRT on |
 * | `ONAIR_SRT_PORTS_PER_APP` | a quarter of the range (at least 1) | the ports one app's livestreams may hold at once: no tenant can take the whole range |
 * | `ONAIR_PUBLIC_SRT_HOST` | `localhost` | the host SRT callers connect to, in each `srt_url` |
 */
import { Config, Context, Effect, Layer, Schema } from "effect"

const PortRange = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter((text: string) => {
      const match = /^(\d{1,5})-(\d{1,5})$/.exec(text)
      const [low, high] = match === null ? [0, 0] : [Number(match[1]), Number(match[2])]
      return (
        (low >= 1024 && high <= 65_535 && low <= high) ||
        "a range of UDP ports such as 10000-10099 (from 1024, the first not higher)"
      )
    })
  )
)

export class SrtSettings extends Context.Service<
  SrtSettings,
  {
    /** The range, inclusive; null when SRT is off. */
    readonly ports: readonly [number, number] | null
    /** How many ports of the range one app may hold at once. */
    readonly perApp: number
    readonly host: string
  }
>()("@onair/adapters-http/SrtSettings") {
  static readonly layer = Layer.effect(
    SrtSettings,
    Effect.gen(function* () {
      const range = yield* Config.option(Config.schema(PortRange, "ONAIR_SRT_PORTS"))
      const host = yield* Config.String("ONAIR_PUBLIC_SRT_HOST").pipe(Config.withDefault("localhost"))
      const ports =
        range._tag === "None" ? null : (range.value.split("-").map(Number) as unknown as readonly [number, number])
      const size = ports === null ? 0 : ports[1] - ports[0] + 1
      const perApp = yield* Config.schema(
        Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 65_535 }))),
        "ONAIR_SRT_PORTS_PER_APP"
      ).pipe(Config.withDefault(Math.max(1, Math.ceil(size / 4))))
      return SrtSettings.of({ ports, host, perApp })
    })
  )
}
