/**
 * The receiver kit: a signed delivery is verified (either secret during a rotation), decoded and applied
 * once; a retry is a duplicate, an older event of the same subject is stale, a forged or stale one is 401
 * and a body that is not an event is 400. The example `node:http` receiver answers real deliveries so.
 */
import { spawn } from "node:child_process"
import * as Path from "node:path"
import { assert, describe, it } from "vitest"
import { isEventOf, makeReceiver, makeSequencer, newSecret, sign, subjectOf } from "../src/index.ts"

const NOW = 1_795_780_800_000
const event = (
  id: string,
  sequence: number,
  type = "ingest.start.success",
  data: Record<string, unknown> = { livestream_id: "ls-1" }
) =>
  JSON.stringify({
    version: "2.0",
    id,
    account_id: "acct_1",
    app_id: "app_1",
    timestamp: "2026-11-27T12:00:00Z",
    type,
    sequence,
    data
  })
const signed = (secrets: ReadonlyArray<string>, id: string, body: string) => sign(secrets, id, NOW / 1000, body)

describe("the receiver kit", () => {
  it("verifies, decodes and applies each event once, never an older one after a newer", () => {
    const secret = newSecret()
    const receiver = makeReceiver({ secrets: secret, now: () => NOW })
    const first = event("m1", 1)
    const got = receiver.receive(first, signed([secret], "m1", first))
    assert.strictEqual(got._tag, "Event")
    if (got._tag !== "Event") return
    assert.strictEqual(got.verdict, "apply")
    assert.isTrue(isEventOf(got.event, "ingest.start.success"))
    assert.strictEqual(subjectOf(got.event), "livestream:ls-1")
    // A retry of the same message, then a later one, then the earlier one of another id arriving late.
    assert.deepStrictEqual(pick(receiver.receive(first, signed([secret], "m1", first))), ["Event", "duplicate"])
    const third = event("m3", 3, "ingest.end.success")
    assert.deepStrictEqual(pick(receiver.receive(third, signed([secret], "m3", third))), ["Event", "apply"])
    const second = event("m2", 2)
    assert.deepStrictEqual(pick(receiver.receive(second, signed([secret], "m2", second))), ["Event", "stale"])
    // Another subject has its own order.
    const meeting = event("m4", 1, "peer.join.success", { room_id: "room-9" })
    assert.deepStrictEqual(pick(receiver.receive(meeting, signed([secret], "m4", meeting))), ["Event", "apply"])
    assert.strictEqual(receiver.sequencer.lastApplied("livestream:ls-1"), 3)
  })

  it("takes either secret during a rotation; refuses forged, stale and unsigned deliveries, and bodies that are not events", () => {
    const [old, current] = [newSecret(), newSecret()]
    const receiver = makeReceiver({ secrets: [current, old], now: () => NOW })
    const body = event("m1", 1, "livestreaming.statusUpdate")
    assert.deepStrictEqual(pick(receiver.receive(body, signed([old], "m1", body))), ["Event", "apply"])
    const next = event("m2", 2)
    assert.deepStrictEqual(pick(receiver.receive(next, signed([current], "m2", next))), ["Event", "apply"])
    const forged = receiver.receive(next, signed([newSecret()], "m2", next))
    assert.deepStrictEqual([forged._tag, forged.status], ["Refused", 401])
    const late = makeReceiver({ secrets: current, now: () => NOW + 600_000 }).receive(
      next,
      signed([current], "m2", next)
    )
    assert.deepStrictEqual(late._tag === "Refused" ? late.reason : late._tag, "stale timestamp")
    assert.strictEqual(receiver.receive(next, {}).status, 401)
    const notAnEvent = JSON.stringify({ hello: "world" })
    const malformed = receiver.receive(notAnEvent, signed([current], "m5", notAnEvent))
    assert.deepStrictEqual([malformed._tag, malformed.status], ["Malformed", 400])
    const unknownType = event("m6", 6, "not.a.type")
    assert.strictEqual(receiver.receive(unknownType, signed([current], "m6", unknownType)).status, 400)
  })

  it("a sequencer starts from the receiver's own state and stays within its limit", () => {
    const sequencer = makeSequencer({ limit: 2, known: [["livestream:ls-1", 5]] })
    const decoded = (id: string, sequence: number, livestream: string) =>
      JSON.parse(event(id, sequence, "ingest.start.success", { livestream_id: livestream }))
    assert.strictEqual(sequencer.accept(decoded("a", 4, "ls-1")), "stale")
    assert.strictEqual(sequencer.accept(decoded("b", 6, "ls-1")), "apply")
    assert.strictEqual(sequencer.accept(decoded("c", 1, "ls-2")), "apply")
    assert.strictEqual(sequencer.accept(decoded("d", 1, "ls-3")), "apply")
    // ls-1, the least recently seen, is forgotten past the limit of 2 subjects.
    assert.isUndefined(sequencer.lastApplied("livestream:ls-1"))
  })

  it("the example node:http receiver answers real deliveries: 200 applied, 200 duplicate, 401 forged", async () => {
    const secret = newSecret()
    const example = spawn(process.execPath, [Path.join(import.meta.dirname, "../examples/node-http-receiver.ts")], {
      env: { ...process.env, ONAIR_WEBHOOK_SECRET: secret, PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    try {
      let output = ""
      const url = await new Promise<string>((resolve, reject) => {
        example.stdout.on("data", (chunk: Buffer) => {
          output += String(chunk)
          const match = /receiving on (http:\/\/\S+)/.exec(output)
          if (match !== null) resolve(match[1]!)
        })
        example.on("exit", (code) => reject(new Error(`the example exited with ${code}`)))
      })
      const body = event("m1", 1)
      const post = (headers: Record<string, string>) =>
        fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body })
      const now = Math.floor(Date.now() / 1000)
      const headers = { ...sign([secret], "m1", now, body) }
      assert.strictEqual((await post(headers)).status, 200)
      assert.deepStrictEqual(await (await post(headers)).json(), { ok: true, verdict: "duplicate" })
      assert.strictEqual((await post({ ...sign([newSecret()], "m1", now, body) })).status, 401)
      assert.include(output, `"type":"ingest.start.success"`)
    } finally {
      example.kill("SIGTERM")
    }
  })
})

const pick = (received: ReturnType<ReturnType<typeof makeReceiver>["receive"]>) =>
  received._tag === "Event" ? [received._tag, received.verdict] : [received._tag, received.reason]
