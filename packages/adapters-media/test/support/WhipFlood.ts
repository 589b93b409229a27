/**
 * An attacker's client of its own process, for the WHIP flood test. While it is on, every `period`
 * milliseconds it posts every offer of the files it is given to `url` at once (the review's reproduction
 * was three 300 KB offers at once). Its standard input steers it, a line each: `on` starts a phase (it
 * says `flooding` once the phase's first offer was answered), `off` pauses (it says `quiet` once every offer
 * it sent was answered); the end of its input ends it
 * (or 120 s), and it says the count of each status it was answered with, as one line of JSON.
 *
 *   node WhipFlood.ts <url> <period ms> <offer file>...
 */
import * as Fs from "node:fs"
import * as Readline from "node:readline"

const [url, period, ...files] = process.argv.slice(2)
const offers = files.map((file) => Fs.readFileSync(file, "utf8"))
const counts: Record<string, number> = {}
const pending = new Set<Promise<void>>()
let on = false
let ended = false
let told = true
Readline.createInterface({ input: process.stdin })
  .on("line", (line) => {
    on = line.trim() === "on"
    if (on) told = false
    // Paused: it says so once every offer it sent has been answered.
    else void Promise.all(pending).then(() => process.stdout.write("quiet\n"))
  })
  .on("close", () => (ended = true))
const deadline = Date.now() + 120_000

const send = (body: string) => {
  const sent: Promise<void> = fetch(url!, { method: "POST", headers: { "content-type": "application/sdp" }, body })
    .then(
      async (response) => {
        await response.arrayBuffer()
        return String(response.status)
      },
      (error: Error & { cause?: { code?: string } }) => `failed: ${error.cause?.code ?? error.message}`
    )
    .then((status) => {
      counts[status] = (counts[status] ?? 0) + 1
      pending.delete(sent)
      if (!told) {
        told = true
        process.stdout.write("flooding\n")
      }
    })
  pending.add(sent)
}

while (!ended && Date.now() < deadline) {
  if (on) for (const offer of offers) send(offer)
  await new Promise((resolve) => setTimeout(resolve, Number(period)))
}
await Promise.all(pending)
process.stdout.write(`${JSON.stringify(counts)}\n`)
