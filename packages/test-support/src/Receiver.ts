/**
 * A real local HTTP receiver for webhooks: records every request (headers, raw body) and answers with the
 * status `respond` picks for it (200 unless told), after `delayMs`.
 */
import { createServer, type IncomingHttpHeaders } from "node:http"

export interface Received {
  readonly headers: IncomingHttpHeaders
  readonly body: string
  readonly at: number
}

export interface Receiver {
  readonly url: string
  readonly received: Array<Received>
  readonly close: () => Promise<void>
}

export const startReceiver = async (options?: {
  /** The status for the nth request (from 1) with this body. */
  readonly respond?: (nth: number, request: Received) => number
  readonly delayMs?: number
}): Promise<Receiver> => {
  const received: Array<Received> = []
  let count = 0
  const server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() }
      received.push(entry)
      const status = options?.respond?.(++count, entry) ?? 200
      const answer = () =>
        response.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : `refused with ${status}`)
      if (options?.delayMs === undefined) answer()
      else setTimeout(answer, options.delayMs)
    })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
