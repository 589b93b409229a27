// A receiver another team runs: every delivery verified and decoded with @onair/webhooks; one JSON line
// per event on stdout.   ONAIR_WEBHOOK_SECRET=whsec_… PORT=8788 node receive.mjs
import { createServer } from "node:http"
import { makeReceiver } from "@onair/webhooks"

const receiver = makeReceiver({ secrets: process.env.ONAIR_WEBHOOK_SECRET })
const server = createServer((request, response) => {
  const chunks = []
  request.on("data", (chunk) => chunks.push(chunk))
  request.on("end", () => {
    const received = receiver.receive(Buffer.concat(chunks).toString("utf8"), request.headers)
    console.log(
      JSON.stringify(
        received._tag === "Event"
          ? { verdict: received.verdict, type: received.event.type, sequence: received.event.sequence }
          : received
      )
    )
    response.writeHead(received.status).end()
  })
})
server.listen(Number(process.env.PORT ?? 8788), "127.0.0.1", () =>
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }))
)
