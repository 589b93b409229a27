/**
 * The composers' browser proxy on real loopback sockets, with the guarded outbound client: a request to an
 * address the rules admit is relayed (plain HTTP) or tunnelled (`CONNECT`); one to an internal address,
 * the cloud's metadata address or a name that is not public is answered 403 with the rule, and nothing is
 * connected.
 */
import { Effect, Exit, Layer, Scope } from "effect"
import * as Http from "node:http"
import * as Net from "node:net"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { AddressPolicy, OutboundClient } from "@onair/outbound"
import * as ComposerProxy from "../src/node/ComposerProxy.ts"

/** Sends `text` to the proxy and answers what came back until the proxy closed or `until` matched. */
const exchange = (port: number, text: string, until?: RegExp) =>
  new Promise<string>((resolve, reject) => {
    const socket = Net.connect(port, "127.0.0.1")
    let answer = ""
    socket.on("data", (chunk) => {
      answer += String(chunk)
      if (until?.test(answer)) {
        socket.destroy()
        resolve(answer)
      }
    })
    socket.on("end", () => resolve(answer))
    socket.on("close", () => resolve(answer))
    socket.on("error", reject)
    socket.write(text)
  })

describe("the composers' proxy", () => {
  const scope = Effect.runSync(Scope.make())
  let proxy: ComposerProxy.ComposerProxy
  let site: Http.Server
  let echo: Net.Server
  let sitePort = 0
  let echoPort = 0

  beforeAll(async () => {
    site = Http.createServer((request, response) => {
      response.writeHead(200, { "content-type": "text/plain" })
      response.end(`page ${request.url} for ${request.headers.host}`)
    })
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve))
    sitePort = (site.address() as Net.AddressInfo).port
    echo = Net.createServer((socket) => socket.pipe(socket))
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve))
    echoPort = (echo.address() as Net.AddressInfo).port
    const allow = AddressPolicy.parseAllowList("127.0.0.1/32")
    if (typeof allow === "string") throw new Error(allow)
    proxy = await Effect.runPromise(
      ComposerProxy.make.pipe(
        Effect.provide(Layer.effect(OutboundClient, OutboundClient.make(allow))),
        Scope.provide(scope)
      )
    )
  })
  afterAll(async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    site.close()
    echo.close()
  })

  it("relays a plain request to an admitted address, with its own Host", async () => {
    const answer = await exchange(
      proxy.port,
      `GET http://127.0.0.1:${sitePort}/rooms/a?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${sitePort}\r\nConnection: close\r\n\r\n`
    )
    assert.match(answer, /^HTTP\/1\.1 200/)
    assert.include(answer, `page /rooms/a?x=1 for 127.0.0.1:${sitePort}`)
  })

  it("tunnels CONNECT to an admitted address", async () => {
    const answer = await exchange(
      proxy.port,
      `CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\nHost: 127.0.0.1:${echoPort}\r\n\r\nhello through`,
      /hello through$/
    )
    assert.match(answer, /^HTTP\/1\.1 200 Connection Established\r\n\r\nhello through$/)
  })

  it("refuses internal addresses, the metadata address and names that are not public, with the rule", async () => {
    const before = proxy.refused()
    const metadata = await exchange(
      proxy.port,
      "GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n"
    )
    assert.match(metadata, /^HTTP\/1\.1 403/)
    assert.include(metadata, "not a public address")
    const tunnel = await exchange(proxy.port, "CONNECT 10.0.0.5:443 HTTP/1.1\r\nHost: 10.0.0.5:443\r\n\r\n")
    assert.match(tunnel, /^HTTP\/1\.1 403/)
    const internalName = await exchange(
      proxy.port,
      "CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n"
    )
    assert.match(internalName, /^HTTP\/1\.1 403/)
    assert.include(internalName, "internal host name")
    assert.strictEqual(proxy.refused() - before, 3)
  })
})
