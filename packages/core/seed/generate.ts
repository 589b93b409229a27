/**
 * `pnpm seed:webhooks`: writes the webhook seed's table and samples into core's sources (see
 * SeedWebhookParser.ts), formatted as the repository formats code.
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { parseSeed, renderSamples, renderTable } from "./SeedWebhookParser.ts"

const here = import.meta.dirname
const catalogue = parseSeed(Fs.readFileSync(Path.join(here, "004-webhook-events.txt"), "utf8"))
const table = Path.join(here, "../src/webhook/SeedWebhookTable.ts")
const samples = Path.join(here, "../src/webhook/SeedWebhookSamples.ts")
Fs.writeFileSync(table, renderTable(catalogue))
Fs.writeFileSync(samples, renderSamples(catalogue))
execFileSync(Path.join(here, "../../../node_modules/.bin/biome"), ["format", "--write", table, samples], {
  stdio: "inherit"
})
console.log(
  `${catalogue.types.length} event types, ${catalogue.samples.length} samples, ${catalogue.quirks.length} quirks`
)
