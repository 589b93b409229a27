/**
 * The benchmark's baseline: a bare `node:http` server answering the same JSON bytes from memory.
 *   node BareServer.ts <bodies.json>   (a map of path to body); prints its URL on stdout
 */
import * as Fs from "node:fs"
import { createServer } from "node:http"

const bodies = JSON.parse(Fs.readFileSync(process.argv[2]!, "utf8")) as Record<string, string>
const buffers = new Map(Object.entries(bodies).map(([path, body]) => [path, Buffer.from(body)]))

const server = createServer((request, response) => {
  const body = buffers.get(request.url ?? "")
  if (body === undefined) {
    response.writeHead(404).end()
    return
  }
  response.writeHead(200, { "content-type": "application/json", "content-length": body.length }).end(body)
})
server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  if (address !== null && typeof address === "object") process.stdout.write(`http://127.0.0.1:${address.port}\n`)
})
