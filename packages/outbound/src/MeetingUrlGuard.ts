/**
 * The meeting page check (`MeetingUrlCheck`) through the one guarded outbound client: an http(s) URL whose
 * host is a public address, or one the operator admits.
 */
import { MeetingUrlCheck, MeetingUrlRefused } from "@onair/core"
import { Effect, Layer } from "effect"
import { OutboundClient } from "./OutboundClient.ts"

export const layer = Layer.effect(
  MeetingUrlCheck,
  Effect.gen(function* () {
    const outbound = yield* OutboundClient
    return MeetingUrlCheck.of({
      check: (url) =>
        outbound.check(url).pipe(
          Effect.map((checked) => checked.toString()),
          Effect.mapError((refused) => new MeetingUrlRefused({ message: refused.message }))
        )
    })
  })
).pipe(Layer.provide(OutboundClient.layer))
