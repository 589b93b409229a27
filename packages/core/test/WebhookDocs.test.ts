/**
 * docs/webhooks.md covers the table: every type of the seed (sent, forwarded or not applicable) and every
 * field OnAir adds to the seed's.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { ONAIR_EXTENSION_FIELDS, SEED_WEBHOOK_TYPES } from "../src/webhook/SeedWebhookConformance.ts"

const docs = Fs.readFileSync(Path.join(import.meta.dirname, "../../../docs/webhooks.md"), "utf8")

describe("docs/webhooks.md", () => {
  it("names every type of the seed and every extension field", () => {
    for (const type of SEED_WEBHOOK_TYPES) assert.include(docs, `\`${type}\``, type)
    for (const field of Object.keys(ONAIR_EXTENSION_FIELDS)) assert.include(docs, `\`${field}\``, field)
  })
})
