/**
 * The restream URL check (`RestreamUrlCheck`) through the one guarded outbound client: an `rtmp://` or
 * `rtmps://` URL is judged by its host and port as a webhook URL is (a public address, or one the operator
 * admits), so a restream target cannot point a relay at an internal service.
 */
import { RestreamUrlCheck, RestreamUrlRefused } from "@onair/core"
import { OutboundClient } from "./OutboundClient.ts"
import { Effect, Layer } from "effect"

const RTMP = /^rtmps?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\/|$)/

export const layer = Layer.effect(
  RestreamUrlCheck,
  Effect.gen(function* () {
    const outbound = yield* OutboundClient
    return RestreamUrlCheck.of({
      check: (url) => {
        const match = RTMP.exec(url)
        if (match === null)
          return Effect.fail(new RestreamUrlRefused({ message: "only rtmp:// and rtmps:// URLs are allowed" }))
        // The address rules are the scheme's business nowhere: the host and port are judged as http's.
        return outbound.check(`http://${match[1]}${match[2] ?? ""}/`).pipe(
          Effect.asVoid,
          Effect.mapError((refused) => new RestreamUrlRefused({ message: refused.message }))
        )
      }
    })
  })
).pipe(Layer.provide(OutboundClient.layer))
