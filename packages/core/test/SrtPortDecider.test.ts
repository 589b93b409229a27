import { describe, it } from "@effect/vitest"
import { LivestreamId } from "../src/Ids.ts"
import { SrtPortDecider } from "../src/srt/SrtPortDecider.ts"
import type { SrtPortEvent } from "../src/srt/SrtPortEvent.ts"
import { SrtPortNumber } from "../src/srt/SrtPortValues.ts"
import { livestreamId, t } from "./Fixtures.ts"
import { spec } from "./Spec.ts"

const port = spec(SrtPortDecider)
const number = SrtPortNumber.make(10_000)
const other = LivestreamId.make("0b7ac5d2-52d1-4f0e-9f39-6a1c2f6a9c11")
const claimed: SrtPortEvent = { _tag: "SrtPortClaimed", port: number, livestreamId, at: t(1) }
const released: SrtPortEvent = { _tag: "SrtPortReleased", port: number, livestreamId, at: t(2) }

describe("SRT port decider", () => {
  it("a free port is claimed; its holder claiming again changes nothing", () => {
    port
      .given()
      .when({ _tag: "ClaimSrtPort", port: number, livestreamId, at: t(1) })
      .then(claimed)
    port
      .given(claimed)
      .when({ _tag: "ClaimSrtPort", port: number, livestreamId, at: t(2) })
      .then()
  })
  it("a held port is refused to another livestream, and free again once its holder releases it", () => {
    port
      .given(claimed)
      .when({ _tag: "ClaimSrtPort", port: number, livestreamId: other, at: t(2) })
      .thenFails("SrtPortTaken", { port: number, holder: livestreamId })
    port
      .given(claimed, released)
      .when({ _tag: "ClaimSrtPort", port: number, livestreamId: other, at: t(3) })
      .then({ _tag: "SrtPortClaimed", port: number, livestreamId: other, at: t(3) })
  })
  it("only its holder releases it", () => {
    port
      .given(claimed)
      .when({ _tag: "ReleaseSrtPort", port: number, livestreamId: other, at: t(2) })
      .then()
    port
      .given(claimed)
      .when({ _tag: "ReleaseSrtPort", port: number, livestreamId, at: t(2) })
      .then(released)
  })
})
