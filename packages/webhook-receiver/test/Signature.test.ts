/**
 * OnAir's Standard Webhooks signing against an independent implementation, the `standardwebhooks` package:
 * what one signs the other verifies, in both directions, and each refusal is the right one.
 */
import { Webhook } from "standardwebhooks"
import { assert, describe, it } from "vitest"
import { newSecret, sign, verify } from "../src/Signature.ts"

const body = JSON.stringify({ version: "2.0", id: "msg_1", type: "ingest.start.success", data: { a: "ü" } })

describe("Standard Webhooks signatures", () => {
  it("what OnAir signs, standardwebhooks verifies; during a rotation with either secret", () => {
    const [old, current] = [newSecret(), newSecret()]
    const now = Math.floor(Date.now() / 1000)
    const headers = sign([current, old], "msg_1", now, body)
    assert.match(headers["webhook-signature"], /^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$/)
    assert.deepStrictEqual(new Webhook(current).verify(body, { ...headers }), JSON.parse(body))
    assert.deepStrictEqual(new Webhook(old).verify(body, { ...headers }), JSON.parse(body))
    assert.throws(() => new Webhook(newSecret()).verify(body, { ...headers }))
    assert.throws(() => new Webhook(current).verify(body.replace("ü", "u"), { ...headers }))
  })

  it("what standardwebhooks signs, OnAir verifies; forged, stale and unsigned are refused", () => {
    const secret = newSecret()
    const at = new Date()
    const seconds = Math.floor(at.getTime() / 1000)
    const headers = {
      "webhook-id": "msg_2",
      "webhook-timestamp": String(seconds),
      "webhook-signature": new Webhook(secret).sign("msg_2", at, body)
    }
    assert.deepStrictEqual(verify(secret, headers, body, seconds), {
      _tag: "Verified",
      id: "msg_2",
      timestamp: seconds
    })
    assert.deepStrictEqual(verify(secret, headers, `${body} `, seconds), { _tag: "Refused", reason: "bad signature" })
    assert.deepStrictEqual(verify(newSecret(), headers, body, seconds), { _tag: "Refused", reason: "bad signature" })
    assert.deepStrictEqual(verify(secret, headers, body, seconds + 301), { _tag: "Refused", reason: "stale timestamp" })
    assert.deepStrictEqual(verify(secret, headers, body, seconds - 301), { _tag: "Refused", reason: "stale timestamp" })
    assert.deepStrictEqual(verify(secret, { ...headers, "webhook-id": undefined }, body, seconds), {
      _tag: "Refused",
      reason: "missing headers"
    })
    // One good signature among others is enough, as during a sender's rotation.
    const several = { ...headers, "webhook-signature": `v1,AAAA ${headers["webhook-signature"]}` }
    assert.strictEqual(verify(secret, several, body, seconds)._tag, "Verified")
  })
})
