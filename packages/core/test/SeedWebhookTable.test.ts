/**
 * The webhook seed's table in the repository is what the parser reads in the seed, and says what the
 * seed says: OnAir's messages and the receiver kit are held to it.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { parseSeed } from "../seed/SeedWebhookParser.ts"
import {
  isSeedValue,
  SEED_WEBHOOK_TYPES,
  seedConformance,
  seedFieldNames,
  seedVersion
} from "../src/webhook/SeedWebhookConformance.ts"
import { SEED_WEBHOOK_SAMPLES } from "../src/webhook/SeedWebhookSamples.ts"
import { SEED_WEBHOOK_TABLE } from "../src/webhook/SeedWebhookTable.ts"

const seed = parseSeed(Fs.readFileSync(Path.join(import.meta.dirname, "../seed/004-webhook-events.txt"), "utf8"))

describe("the webhook seed's table", () => {
  it("is the parser's reading of the seed (regenerate with `pnpm seed:webhooks`)", () => {
    const parsed = Object.fromEntries(
      seed.types.map((type) => [type.type, { version: type.version, fields: type.fields, enums: type.enums }])
    )
    assert.deepStrictEqual(JSON.parse(JSON.stringify(SEED_WEBHOOK_TABLE)), parsed)
    assert.deepStrictEqual(JSON.parse(JSON.stringify(SEED_WEBHOOK_SAMPLES)), seed.samples)
  })

  it("holds the seed's 32 types, their fields and the values it enumerates", () => {
    assert.strictEqual(SEED_WEBHOOK_TYPES.length, 32)
    assert.includeMembers([...seedFieldNames("peer.join.success")], ["user_name", "user_data", "role", "type"])
    // The envelope's keys the ingest tables list among their rows are the envelope's.
    assert.notInclude([...seedFieldNames("ingest.start.success")], "timestamp")
    assert.strictEqual(seedVersion("recording.success"), "1.0")
    assert.strictEqual(seedVersion("hls.started.success"), "2.0")
    assert.isTrue(isSeedValue("hls.stopped.success", "reason", "failure: MAX_RETRIES_REACHED"))
    assert.isFalse(isSeedValue("hls.stopped.success", "reason", "session ended"))
    assert.isTrue(isSeedValue("ingest.end.success", "reason", "reconnection window expired"))
    assert.isFalse(isSeedValue("recording.failed", "error_type", "INTERNAL_ERROR"))
    assert.isTrue(isSeedValue("peer.leave.success", "reason", "websocket closed"))
  })

  it("finds what departs from it: a missing field, a wrong type, a value outside the seed's, an undocumented field", () => {
    const sample = SEED_WEBHOOK_SAMPLES.find((s) => s.section === "ingest.end.success")!.event["data"] as Record<
      string,
      unknown
    >
    assert.deepStrictEqual(seedConformance("ingest.end.success", sample), [])
    const { duration: _, ...missing } = sample
    assert.deepStrictEqual(seedConformance("ingest.end.success", missing), ["duration: missing"])
    assert.deepStrictEqual(seedConformance("ingest.end.success", { ...sample, duration: "111" }), [
      'duration: "111" is not of the seed\'s type int'
    ])
    assert.deepStrictEqual(seedConformance("ingest.end.success", { ...sample, reason: "session ended" }), [
      'reason: "session ended" is not one of the seed\'s (publish error, reconnection window expired, stream closed, internal error)'
    ])
    assert.deepStrictEqual(seedConformance("ingest.end.success", { ...sample, mood: "good" }), [
      "mood: neither the seed's nor a documented extension"
    ])
    // Null is what OnAir sends for a field it cannot know: of every type.
    assert.deepStrictEqual(seedConformance("ingest.end.success", { ...sample, duration: null }), [])
  })
})
