/**
 * The composers' browser proxy: every request a meeting page makes, the page itself included, goes through
 * it (Chromium's `--proxy-server`, loopback included), and each is held to the guarded outbound rules
 * (`OutboundClient.address`: a public address, or one `ONAIR_OUTBOUND_ALLOWLIST` admits, checked on what the
 * name resolves to and connected to that very address). Plain HTTP requests are relayed; `CONNECT` (HTTPS,
 * secure WebSockets) opens a tunnel; a plain WebSocket upgrade is relayed as a tunnel too. A refused request
 * is answered 403 with the reason, and logged.
 *
 * It listens on loopback only, on a port of its own per node. Any local process could send through it, and
 * gets no more than the rules allow anyone: a node trusts its local users in any case (docs/security.md).
 */
import { OutboundClient } from "@onair/outbound"
import { Cause, Effect, Exit } from "effect"
import * as Http from "node:http"
import * as Net from "node:net"

export interface ComposerProxy {
  readonly port: number
  /** Requests refused since it started (for tests and the log). */
  readonly refused: () => number
}

/** How long an idle tunnel or relayed request may last without a byte. */
const IDLE_MILLIS = 120_000

/** The rule a refusal broke, or why the name could not be checked. */
const whyNot = (cause: Cause.Cause<{ readonly message: string }>): string => {
  const error = Cause.findErrorOption(cause)
  return error._tag === "Some" ? error.value.message : "refused"
}

const reply = (socket: Net.Socket, status: string, body = "") => {
  if (socket.destroyed) return
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
}

/** Starts the proxy for as long as the scope lives. */
export const make = Effect.gen(function* () {
  const client = yield* OutboundClient
  let refused = 0
  const check = (url: string) => Effect.runPromiseExit(client.address(url))
  const refuse = (what: string, reason: string) => {
    refused++
    void Effect.runPromise(Effect.logWarning(`media: composer page refused ${what}: ${reason}`))
  }

  /** Connects to the checked address of `url`; the tunnel's other end, or why not. */
  const tunnel = async (url: string, what: string): Promise<Net.Socket | string> => {
    const exit = await check(url)
    if (Exit.isFailure(exit)) {
      const reason = whyNot(exit.cause)
      refuse(what, reason)
      return reason
    }
    const { address, port } = exit.value
    return await new Promise<Net.Socket | string>((resolve) => {
      const upstream = Net.connect({ host: address, port })
      upstream.setTimeout(IDLE_MILLIS, () => upstream.destroy())
      upstream.once("connect", () => resolve(upstream))
      upstream.once("error", (error) => resolve(`${what}: ${error.message}`))
    })
  }

  const server = Http.createServer((request, response) => {
    const url = request.url ?? ""
    if (!/^http:\/\//i.test(url)) {
      response.writeHead(400, { "content-type": "text/plain" }).end("a proxy request names an absolute http URL\n")
      return
    }
    void check(url).then((exit) => {
      if (Exit.isFailure(exit)) {
        const reason = whyNot(exit.cause)
        refuse(url, reason)
        response.writeHead(403, { "content-type": "text/plain", connection: "close" }).end(`refused: ${reason}\n`)
        return
      }
      const target = new URL(url)
      const headers = { ...request.headers }
      delete headers["proxy-connection"]
      delete headers["proxy-authorization"]
      const upstream = Http.request(
        {
          host: exit.value.address,
          port: exit.value.port,
          method: request.method,
          path: `${target.pathname}${target.search}`,
          headers: { ...headers, host: target.host },
          setHost: false,
          timeout: IDLE_MILLIS
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(response)
        }
      )
      upstream.on("timeout", () => upstream.destroy())
      upstream.on("error", (error) => {
        if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" })
        response.end(`${error.message}\n`)
      })
      request.pipe(upstream)
    })
  })

  /** A tunnel for `CONNECT host:port` (HTTPS, wss) or a plain WebSocket upgrade (`head` replayed). */
  const open = (socket: Net.Socket, url: string, what: string, first: Buffer | string, head: Buffer) => {
    socket.on("error", () => {})
    socket.setTimeout(IDLE_MILLIS, () => socket.destroy())
    void tunnel(url, what).then((upstream) => {
      if (typeof upstream === "string") return reply(socket, "403 Forbidden", `refused: ${upstream}\n`)
      if (socket.destroyed) return upstream.destroy()
      upstream.on("error", () => socket.destroy())
      socket.on("close", () => upstream.destroy())
      upstream.on("close", () => socket.destroy())
      if (typeof first === "string") socket.write(first)
      else upstream.write(first)
      if (head.length > 0) upstream.write(head)
      socket.pipe(upstream)
      upstream.pipe(socket)
    })
  }

  server.on("connect", (request: Http.IncomingMessage, socket: Net.Socket, head: Buffer) => {
    const authority = request.url ?? ""
    if (!/^[^\s/]+:\d{1,5}$/.test(authority)) return reply(socket, "400 Bad Request")
    open(socket, `https://${authority}/`, `CONNECT ${authority}`, "HTTP/1.1 200 Connection Established\r\n\r\n", head)
  })

  server.on("upgrade", (request: Http.IncomingMessage, socket: Net.Socket, head: Buffer) => {
    const url = request.url ?? ""
    if (!/^http:\/\//i.test(url)) return reply(socket, "400 Bad Request")
    const target = new URL(url)
    const lines = [`${request.method} ${target.pathname}${target.search} HTTP/1.1`]
    for (let index = 0; index < request.rawHeaders.length; index += 2) {
      const name = request.rawHeaders[index]!
      if (/^proxy-/i.test(name)) continue
      lines.push(`${name}: ${request.rawHeaders[index + 1]}`)
    }
    open(socket, url, url, Buffer.from(`${lines.join("\r\n")}\r\n\r\n`), head)
  })

  server.on("clientError", (_error, socket) => socket.destroy())

  const port = yield* Effect.acquireRelease(
    Effect.callback<number>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as Net.AddressInfo).port)))
    }),
    () =>
      Effect.callback<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
  return { port, refused: () => refused } satisfies ComposerProxy
})
