/**
 * An attacker's client of its own process, for the WHIP flood test: every `period` milliseconds it posts
 * every offer of the files it is given to `url` at once (the review's reproduction was three 300 KB offers
 * at once), until its parent closes its standard input (or 60 s pass). It says "flooding" once its first
 * offer was answered, and on its way out the count of each status it was answered with, as one line of
 * JSON.
 *
 *   node WhipFlood.ts <url> <period ms> <offer file>...
 */
import * as Fs from "node:fs"

const [url, period, ...files] = process.argv.slice(2)
const offers = files.map((file) => Fs.readFileSync(file, "utf8"))
const counts: Record<string, number> = {}
const pending = new Set<Promise<void>>()
let stopped = false
let told = false
process.stdin.on("close", () => (stopped = true)).resume()
const deadline = Date.now() + 60_000

const send = (body: string) => {
  const sent: Promise<void> = fetch(url!, { method: "POST", headers: { "content-type": "application/sdp" }, body }).then(
    async (response) => {
      await response.arrayBuffer()
      return String(response.status)
    },
    (error: Error & { cause?: { code?: string } }) => `failed: ${error.cause?.code ?? error.message}`
  ).then((status) => {
    counts[status] = (counts[status] ?? 0) + 1
    pending.delete(sent)
    if (!told) {
      told = true
      process.stdout.write("flooding\n")
    }
  })
  pending.add(sent)
}

while (!stopped && Date.now() < deadline) {
  for (const offer of offers) send(offer)
  await new Promise((resolve) => setTimeout(resolve, Number(period)))
}
await Promise.all(pending)
process.stdout.write(`${JSON.stringify(counts)}\n`)
