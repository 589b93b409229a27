/**
 * A receiver written against the webhook seed works with the kit unchanged: every sample event of the
 * seed, exactly as the seed prints it (no `sequence`, `version` "1.0" or "2.0", `app_id` often absent),
 * decodes into its typed event; a field of another type than the seed's is refused, naming it.
 */
import { SEED_WEBHOOK_SAMPLES, SEED_WEBHOOK_TYPES } from "@onair/core"
import { assert, describe, it } from "vitest"
import { decodeEvent, isEventOf } from "../src/Envelope.ts"
import { makeReceiver } from "../src/Receiver.ts"
import { newSecret, sign } from "../src/Signature.ts"

const NOW = 1_800_000_000

describe("the seed's sample events", () => {
  it("each of the seed's 32 sections has a sample, and each is received, verified and applied once", () => {
    assert.strictEqual(SEED_WEBHOOK_SAMPLES.length, SEED_WEBHOOK_TYPES.length)
    const secret = newSecret()
    const receiver = makeReceiver({ secrets: secret, now: () => NOW * 1000 })
    SEED_WEBHOOK_SAMPLES.forEach(({ section, event }, index) => {
      // The seed masks ids; each sample is a delivery of its own.
      const body = JSON.stringify({ ...event, id: `seed-sample-${index}` })
      const received = receiver.receive(body, sign([secret], `seed-sample-${index}`, NOW, body))
      assert.strictEqual(received._tag, "Event", `${section}: ${JSON.stringify(received)}`)
      if (received._tag !== "Event") return
      assert.strictEqual(received.event.type, event["type"])
      assert.strictEqual(received.verdict, "apply", section)
      assert.deepStrictEqual(received.event.data, event["data"])
    })
  })

  it("data is typed by the seed's table: a peer's name is a string, a duration an int", () => {
    const peer = SEED_WEBHOOK_SAMPLES.find((s) => s.section === "peer.join.success")!.event
    const decoded = decodeEvent(JSON.stringify(peer))
    assert.isTrue(decoded._tag === "Success")
    if (decoded._tag !== "Success") return
    const event = decoded.success
    if (isEventOf(event, "peer.join.success")) {
      const name: string | null | undefined = event.data.user_name
      assert.strictEqual(name, "********")
    } else assert.fail("not a peer.join.success")
    const ended = SEED_WEBHOOK_SAMPLES.find((s) => s.section === "ingest.end.success")!.event
    const wrong = decodeEvent(JSON.stringify({ ...ended, data: { ...(ended["data"] as object), duration: "111" } }))
    assert.isTrue(wrong._tag === "Failure")
    if (wrong._tag === "Failure") assert.include(wrong.failure, "data.duration")
  })
})
