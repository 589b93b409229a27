/**
 * A webhook receiver on `node:http` with @onair/webhooks: every delivery is verified, decoded and judged,
 * and answered as OnAir expects (2xx once handled, so it is not retried; 401 and 400 otherwise).
 *
 *   ONAIR_WEBHOOK_SECRET=whsec_… [ONAIR_WEBHOOK_PREVIOUS_SECRET=whsec_…] [PORT=8788] node node-http-receiver.ts
 *
 * It prints one JSON line per applied event; put your own handling where it says so.
 */
import { createServer } from "node:http"
import { makeReceiver } from "@onair/webhooks"

const secrets = [process.env["ONAIR_WEBHOOK_SECRET"], process.env["ONAIR_WEBHOOK_PREVIOUS_SECRET"]].filter(
  (secret): secret is string => secret !== undefined && secret !== ""
)
if (secrets.length === 0) throw new Error("set ONAIR_WEBHOOK_SECRET to the endpoint's secret (whsec_…)")
const receiver = makeReceiver({ secrets })

const server = createServer((request, response) => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    const received = receiver.receive(Buffer.concat(chunks).toString("utf8"), request.headers)
    if (received._tag === "Event" && received.verdict === "apply") {
      // Your handling goes here: received.event.type, received.event.data …
      process.stdout.write(
        `${JSON.stringify({ type: received.event.type, sequence: received.event.sequence, id: received.event.id })}\n`
      )
    }
    response.writeHead(received.status, { "content-type": "application/json" })
    response.end(
      JSON.stringify(
        received._tag === "Event" ? { ok: true, verdict: received.verdict } : { ok: false, reason: received.reason }
      )
    )
  })
})

server.listen(Number(process.env["PORT"] ?? 8788), "127.0.0.1", () => {
  const address = server.address()
  if (address !== null && typeof address === "object")
    process.stdout.write(`receiving on http://127.0.0.1:${address.port}\n`)
})
