/**
 * The guarded client against the SSRF forms a tenant could register, and against real local receivers:
 * refused before any connection, admitted by the allow-list, no redirects, bounded answers.
 */
import { Duration, Effect, Layer } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { AddressPolicy, OutboundClient } from "../src/index.ts"

const clientWith = (allowList: string) => {
  const allow = allowList === "" ? AddressPolicy.EMPTY_ALLOW_LIST : AddressPolicy.parseAllowList(allowList)
  if (typeof allow === "string") throw new Error(allow)
  return Layer.effect(OutboundClient, OutboundClient.make(allow))
}

const check = (allowList: string, url: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(Effect.service(OutboundClient), (client) => Effect.result(client.check(url))).pipe(
        Effect.provide(clientWith(allowList))
      )
    )
  )

const post = (allowList: string, url: string, maxResponseBytes = 512) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(Effect.service(OutboundClient), (client) =>
        Effect.result(
          client.post(url, {
            headers: { "content-type": "application/json" },
            body: "{}",
            timeout: Duration.seconds(5),
            maxResponseBytes
          })
        )
      ).pipe(Effect.provide(clientWith(allowList)))
    )
  )

/** Every form the review found accepted, and their relatives: refused at registration. */
const REFUSED: ReadonlyArray<string> = [
  "http://127.0.0.1:8080/stat",
  "http://127.0.0.1.:8080/",
  "http://localhost/",
  "http://LOCALHOST./",
  "http://foo.localhost/",
  "http://2130706433/",
  "http://0x7f000001/",
  "http://0177.0.0.1/",
  "http://0x7f.1/",
  "http://127.1/",
  "http://017700000001/",
  "http://[::1]/",
  "http://[0:0:0:0:0:0:0:1]/",
  "http://[::ffff:127.0.0.1]/",
  "http://[::ffff:7f00:1]/",
  "http://[::ffff:a00:1]/",
  "http://[::127.0.0.1]/",
  "http://[64:ff9b::a9fe:a9fe]/",
  "http://[2002:7f00:1::]/",
  "http://169.254.169.254/latest/meta-data/",
  "http://[fe80::1]/",
  "http://metadata.google.internal/computeMetadata/v1/",
  "http://metadata/",
  "http://10.0.0.1/",
  "http://172.16.5.4/",
  "http://172.31.255.255/",
  "http://192.168.1.1/",
  "http://100.64.0.1/",
  "http://0.0.0.0/",
  "http://0/",
  "http://[::]/",
  "http://[fc00::1]/",
  "http://[fd12:3456::1]/",
  "http://224.0.0.1/",
  "http://239.255.255.250/",
  "http://[ff02::1]/",
  "http://255.255.255.255/",
  "http://198.18.0.1/",
  "http://intranet/",
  "http://printer.local/",
  "http://router.home.arpa/",
  "http://user:pw@example.com/",
  "ftp://example.com/",
  "file:///etc/passwd",
  "gopher://example.com/",
  "not a url"
]

const ACCEPTED: ReadonlyArray<string> = [
  "https://example.com/hooks/onair",
  "https://hooks.example.org:8443/a?b=c",
  "http://93.184.215.14/",
  "http://[2606:4700::1111]/",
  "http://8.8.8.8/"
]

describe("outbound URL checks", () => {
  it(`refuses ${REFUSED.length} internal, private and malformed forms, naming why`, async () => {
    for (const url of REFUSED) {
      const result = await check("", url)
      assert.isTrue(result._tag === "Failure", `${url} should be refused`)
      if (result._tag === "Failure") assert.strictEqual(result.failure._tag, "OutboundRefused", url)
    }
  })

  it("accepts public names and addresses", async () => {
    for (const url of ACCEPTED) {
      const result = await check("", url)
      assert.isTrue(result._tag === "Success", `${url} should be accepted: ${JSON.stringify(result)}`)
    }
  })

  it("the allow-list admits exactly its CIDRs and hosts", async () => {
    const allow = "127.0.0.1/32, 10.1.0.0/16, receiver.corp, .hooks.corp"
    for (const url of ["http://127.0.0.1:9000/", "http://10.1.2.3/", "http://receiver.corp/", "http://a.hooks.corp/"]) {
      assert.strictEqual((await check(allow, url))._tag, "Success", url)
    }
    for (const url of [
      "http://127.0.0.2/",
      "http://10.2.0.1/",
      "http://other.internal/",
      "http://hooks.corp.internal/"
    ]) {
      assert.strictEqual((await check(allow, url))._tag, "Failure", url)
    }
  })

  it("a malformed allow-list entry is named", () => {
    assert.include(String(AddressPolicy.parseAllowList("127.0.0.1/33")), "127.0.0.1/33")
    assert.include(String(AddressPolicy.parseAllowList("http://x")), "http://x")
  })
})

describe("outbound requests", () => {
  const hits: Array<string> = []
  let port = 0
  const receiver = Http.createServer((request, response) => {
    hits.push(request.url ?? "")
    if (request.url === "/redirect")
      return response.writeHead(302, { location: `http://127.0.0.1:${port}/landed` }).end()
    if (request.url === "/huge") {
      response.writeHead(200)
      const chunk = Buffer.alloc(64 * 1024, "x")
      // A receiver that never stops talking: the client reads its limit and hangs up.
      const write = () => {
        while (response.write(chunk)) {}
        response.once("drain", write)
      }
      return write()
    }
    response.writeHead(200).end("ok")
  })
  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
    port = (receiver.address() as AddressInfo).port
  })
  afterAll(() => {
    receiver.closeAllConnections()
    receiver.close()
  })

  it("refuses loopback before connecting, and sends once it is allow-listed", async () => {
    hits.length = 0
    const refused = await post("", `http://127.0.0.1:${port}/hook`)
    assert.isTrue(refused._tag === "Failure" && refused.failure._tag === "OutboundRefused")
    assert.deepStrictEqual(hits, [])
    const sent = await post("127.0.0.1/32", `http://127.0.0.1:${port}/hook`)
    assert.isTrue(sent._tag === "Success" && sent.success.status === 200 && sent.success.body === "ok")
    assert.deepStrictEqual(hits, ["/hook"])
  })

  it("an allow-listed host name resolves and connects; a name resolving to loopback is refused", async () => {
    const allowed = await post("localhost", `http://localhost:${port}/by-name`)
    assert.isTrue(allowed._tag === "Success" && allowed.success.status === 200)
    // `localhost.` resolves to loopback on every machine: refused by address too once the name rule is lifted.
    const byAddress = await post("127.0.0.2/32", `http://localhost:${port}/by-name`)
    assert.isTrue(byAddress._tag === "Failure" && byAddress.failure._tag === "OutboundRefused")
  })

  it("does not follow redirects", async () => {
    hits.length = 0
    const result = await post("127.0.0.1/32", `http://127.0.0.1:${port}/redirect`)
    assert.isTrue(result._tag === "Success" && result.success.status === 302)
    assert.deepStrictEqual(hits, ["/redirect"])
  })

  it("reads an endless answer only up to its limit", async () => {
    const result = await post("127.0.0.1/32", `http://127.0.0.1:${port}/huge`, 1000)
    assert.isTrue(result._tag === "Success" && result.success.body.length === 1000)
  })

  it("GETs bytes under the same rules: refused on loopback, then read up to the limit and said to be cut", async () => {
    const get = (allowList: string, url: string, maxResponseBytes: number) =>
      Effect.runPromise(
        Effect.scoped(
          Effect.flatMap(Effect.service(OutboundClient), (client) =>
            Effect.result(client.get(url, { headers: {}, timeout: Duration.seconds(5), maxResponseBytes }))
          ).pipe(Effect.provide(clientWith(allowList)))
        )
      )
    hits.length = 0
    const refused = await get("", `http://127.0.0.1:${port}/image`, 100)
    assert.isTrue(refused._tag === "Failure" && refused.failure._tag === "OutboundRefused")
    assert.deepStrictEqual(hits, [])
    const small = await get("127.0.0.1/32", `http://127.0.0.1:${port}/image`, 100)
    assert.isTrue(small._tag === "Success" && small.success.status === 200 && !small.success.truncated)
    if (small._tag === "Success") assert.strictEqual(Buffer.from(small.success.bytes).toString(), "ok")
    const cut = await get("127.0.0.1/32", `http://127.0.0.1:${port}/huge`, 1000)
    assert.isTrue(cut._tag === "Success" && cut.success.bytes.length === 1000 && cut.success.truncated)
  })

  it("a closed port is a failure with the reason, not a refusal", async () => {
    const result = await post("127.0.0.1/32", "http://127.0.0.1:1/")
    assert.isTrue(result._tag === "Failure" && result.failure._tag === "OutboundFailed")
  })
})
