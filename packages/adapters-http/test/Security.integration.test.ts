/**
 * The API's security suite on a real server:
 *
 * - finding 6: NUL and lone surrogates in any string field of any endpoint (and the inbound envelope) are a
 *   400 naming the field, and nothing is stored;
 * - finding 7: bodies are limited (413 at a declared length over the limit, and when an undeclared one
 *   passes it), before anything, the inbound webhook's signature check included;
 * - finding 8: router 404s, 415, 431 and 413 answer in the envelope; a token names at most 100 apps;
 * - finding 2 over HTTP: webhook URLs that reach the inside are refused at create and update;
 * - every response carries a request id, and a 500 is logged with its cause under that id.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { Server } from "@onair/adapters-http"
import { Effect, Layer, Logger, ManagedRuntime } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import * as Net from "node:net"
import { assert, describe, it } from "vitest"
import { RequestGuard } from "../src/index.ts"
import { useServer } from "./support/TestServer.ts"

process.env.ONAIR_ADMIN_TOKEN = "security-admin-token"
process.env.ONAIR_INBOUND_WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 1).toString("base64")}`
const ACCOUNT = "acct_sec"
const APP = "app_1"
const BASE = `/accounts/${ACCOUNT}/realtime/kit/${APP}`

/** Raw requests: bodies exactly as given (JSON.stringify would not keep a lone surrogate). */
const send = async (
  baseUrl: string,
  method: string,
  path: string,
  init: { token?: string; body?: string | Uint8Array | ReadableStream; headers?: Record<string, string> } = {}
) => {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...init.headers
    },
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(init.body instanceof ReadableStream ? { duplex: "half" } : {})
  } as RequestInit)
  const text = await response.text()
  return {
    status: response.status,
    text,
    body: text === "" ? undefined : JSON.parse(text),
    requestId: response.headers.get("x-request-id")
  }
}

const isEnvelope = (body: any) =>
  body?.success === false && Array.isArray(body.errors) && typeof body.errors[0]?.code === "string"

describe("API security", () => {
  const server = useServer()

  it("finding 6: NUL and lone surrogates in every string field answer 400 naming the field, and store nothing", async () => {
    const token = await server.token(ACCOUNT)
    const livestream = (await server.call("POST", `${BASE}/livestreams`, token, { name: "kept" })).body.data
    const meeting = (await server.call("POST", `${BASE}/meetings`, token, { title: "kept" })).body.data
    const webhook = (await server.call("POST", `${BASE}/webhooks`, token, { url: "https://hooks.example.com/onair" }))
      .body.data
    const before = (await server.call("GET", `${BASE}/livestreams`, token)).body.data.paging.total_count
    // Each endpoint with a string field, and the field's place in the body; `S` stands for the bad string.
    const cases: ReadonlyArray<{
      method: string
      path: string
      auth: string | undefined
      body: string
      field: string
    }> = [
      { method: "POST", path: `${BASE}/livestreams`, auth: token, body: `{"name":S}`, field: "name" },
      { method: "PATCH", path: `${BASE}/livestreams/${livestream.id}`, auth: token, body: `{"name":S}`, field: "name" },
      { method: "POST", path: `${BASE}/meetings`, auth: token, body: `{"title":S}`, field: "title" },
      {
        method: "POST",
        path: `${BASE}/meetings/${meeting.id}/livestreams`,
        auth: token,
        body: `{"name":S}`,
        field: "name"
      },
      {
        method: "POST",
        path: `/admin/accounts/${ACCOUNT}/tokens`,
        auth: "security-admin-token",
        body: `{"label":S}`,
        field: "label"
      },
      {
        method: "POST",
        path: `/admin/accounts/${ACCOUNT}/tokens`,
        auth: "security-admin-token",
        body: `{"apps":["a",S]}`,
        field: "apps.1"
      },
      { method: "POST", path: `${BASE}/webhooks`, auth: token, body: `{"url":S}`, field: "url" },
      { method: "PATCH", path: `${BASE}/webhooks/${webhook.id}`, auth: token, body: `{"url":S}`, field: "url" },
      {
        method: "POST",
        path: `${BASE}/webhooks`,
        auth: token,
        body: `{"url":"https://a.example.com","events":[S]}`,
        field: "events.0"
      },
      {
        method: "POST",
        path: "/webhooks/realtime",
        auth: undefined,
        body: `{"id":S,"type":"peer.join.success"}`,
        field: "id"
      },
      {
        method: "POST",
        path: "/webhooks/realtime",
        auth: undefined,
        body: `{"id":"e1","data":{"room_id":S}}`,
        field: "data.room_id"
      }
    ]
    const bad = [JSON.stringify("a\u0000b"), '"a\\ud800b"', '"\\udfff"', '"x\\u0000"']
    let checked = 0
    for (const { method, path, auth, body, field } of cases) {
      for (const string of bad) {
        const answer = await send(server.baseUrl, method, path, {
          ...(auth === undefined ? {} : { token: auth }),
          body: body.replace("S", string)
        })
        assert.strictEqual(answer.status, 400, `${method} ${path} ${string}: ${answer.text}`)
        assert.isTrue(isEnvelope(answer.body), answer.text)
        assert.match(answer.body.errors[0].message, new RegExp(`^${field.replace(".", "\\.")}: `), answer.text)
        checked++
      }
    }
    assert.strictEqual(checked, cases.length * bad.length)
    // A bad key is refused too, and the query and path follow the same rule.
    const key = await send(server.baseUrl, "POST", `${BASE}/livestreams`, { token, body: '{"na\\u0000me":"x"}' })
    assert.strictEqual(key.status, 400)
    const query = await send(server.baseUrl, "GET", `${BASE}/livestreams?status=LIVE%00`, { token })
    assert.strictEqual(query.status, 400)
    assert.isTrue(isEnvelope(query.body))
    assert.strictEqual((await server.call("GET", `${BASE}/livestreams`, token)).body.data.paging.total_count, before)
    assert.strictEqual(
      (await server.call("GET", `${BASE}/livestreams/${livestream.id}`, token)).body.data.livestream.name,
      "kept"
    )
  })

  it("finding 7: bodies over the limit answer 413 whether declared or streamed, the inbound webhook's before its signature", async () => {
    const token = await server.token(ACCOUNT)
    const declared = await send(server.baseUrl, "POST", `${BASE}/livestreams`, {
      token,
      body: JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) })
    })
    assert.strictEqual(declared.status, 413)
    assert.strictEqual(declared.body.errors[0].code, "payload_too_large")
    // No content-length: reading stops at the limit.
    const chunks = (total: number) => {
      let sent = 0
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= total) return controller.close()
          const chunk = new TextEncoder().encode(sent === 0 ? `{"id":"${"y".repeat(65_536)}` : "y".repeat(65_536))
          sent += chunk.length
          controller.enqueue(chunk)
        }
      })
    }
    const streamed = await send(server.baseUrl, "POST", "/webhooks/realtime", { body: chunks(8 * 1024 * 1024) })
    assert.strictEqual(streamed.status, 413)
    assert.isTrue(isEnvelope(streamed.body))
    const unsigned = await send(server.baseUrl, "POST", "/webhooks/realtime", {
      body: JSON.stringify({ id: "x".repeat(3 * 1024 * 1024) })
    })
    assert.strictEqual(unsigned.status, 413)
    // Under the limit the request goes on as before.
    assert.strictEqual(
      (await send(server.baseUrl, "POST", `${BASE}/livestreams`, { token, body: JSON.stringify({ name: "small" }) }))
        .status,
      201
    )
  })

  it("finding 8: router 404s, 415 and 431 answer in the envelope, every response has a request id, a token names at most 100 apps", async () => {
    const token = await server.token(ACCOUNT)
    for (const path of [
      "/nothing/here",
      `${BASE}/livestreams/%2e%2e/%2e%2e/admin`,
      `${BASE}/livestreams/%ff`,
      `${BASE}/live;streams`,
      "/accounts/%c0%ae%c0%ae/x"
    ]) {
      const answer = await send(server.baseUrl, "GET", path, { token })
      assert.oneOf(answer.status, [400, 404], path)
      assert.isTrue(isEnvelope(answer.body), `${path}: ${answer.text}`)
      assert.match(answer.requestId ?? "", /^[0-9a-f-]{36}$/)
    }
    const wrongMethod = await send(server.baseUrl, "PUT", `${BASE}/livestreams`, { token })
    assert.isTrue(wrongMethod.status >= 400 && isEnvelope(wrongMethod.body), wrongMethod.text)
    const textBody = await send(server.baseUrl, "POST", `${BASE}/livestreams`, {
      token,
      body: "name=x",
      headers: { "content-type": "text/plain" }
    })
    assert.strictEqual(textBody.status, 415)
    assert.isTrue(isEnvelope(textBody.body), textBody.text)
    const raw = await new Promise<string>((resolve) => {
      const socket = Net.connect(Number(new URL(server.baseUrl).port), "127.0.0.1", () =>
        socket.write(`GET ${BASE}/livestreams HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`)
      )
      let answer = ""
      socket.on("data", (chunk) => (answer += chunk))
      socket.on("close", () => resolve(answer))
    })
    assert.match(raw, /^HTTP\/1\.1 431 /)
    assert.isTrue(isEnvelope(JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4))))
    const many = await server.call("POST", `/admin/accounts/${ACCOUNT}/tokens`, "security-admin-token", {
      apps: Array.from({ length: 101 }, (_, i) => `app_${i}`)
    })
    assert.strictEqual(many.status, 400)
    assert.match(many.body.errors[0].message, /^apps/)
    for (let i = 0; i < 100; i++) {
      const app = await server.call("POST", `/admin/accounts/${ACCOUNT}/apps`, "security-admin-token", {
        id: `app_${i}`,
        name: `app ${i}`
      })
      assert.include([201, 409], app.status)
    }
    const hundred = await server.call("POST", `/admin/accounts/${ACCOUNT}/tokens`, "security-admin-token", {
      apps: Array.from({ length: 100 }, (_, i) => `app_${i}`)
    })
    assert.strictEqual(hundred.status, 201)
    const ok = await send(server.baseUrl, "GET", `${BASE}/livestreams`, { token })
    assert.match(ok.requestId ?? "", /^[0-9a-f-]{36}$/)
  })

  it("finding 2: webhook URLs that reach loopback, private ranges or metadata are refused at create and update", async () => {
    const token = await server.token(ACCOUNT)
    const inside = [
      "http://127.0.0.1:8080/stat",
      "http://2130706433/",
      "http://0x7f.1/control/drop/publisher?app=live&name=x",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://169.254.169.254/latest/meta-data/",
      "http://metadata.google.internal/",
      "http://10.0.0.1/",
      "http://localhost:1935/"
    ]
    for (const url of inside) {
      const created = await server.call("POST", `${BASE}/webhooks`, token, { url })
      assert.strictEqual(created.status, 400, `${url}: ${created.text}`)
      assert.match(created.body.errors[0].message, /^url: /)
    }
    const endpoint = (await server.call("POST", `${BASE}/webhooks`, token, { url: "https://hooks.example.com/a" })).body
      .data
    const patched = await server.call("PATCH", `${BASE}/webhooks/${endpoint.id}`, token, {
      url: "http://192.168.0.10/"
    })
    assert.strictEqual(patched.status, 400)
    assert.strictEqual(
      (await server.call("GET", `${BASE}/webhooks/${endpoint.id}`, token)).body.data.url,
      "https://hooks.example.com/a"
    )
  })
})

describe("a failing route", () => {
  it("answers 500 in the envelope with a request id, and logs its cause under that id", async () => {
    const logged: Array<string> = []
    const collector = Logger.make((options) => logged.push(`${String(options.message)} ${String(options.cause)}`))
    const app = HttpRouter.serve(
      Layer.merge(HttpRouter.add("GET", "/boom", Effect.die(new Error("the disk caught fire"))), RequestGuard.layer),
      { disableLogger: true }
    ).pipe(
      Layer.provideMerge(NodeHttpServer.layer(Server.createNodeServer, { port: 0, host: "127.0.0.1" })),
      Layer.provide(Logger.layer([collector]))
    )
    const runtime = ManagedRuntime.make(app)
    try {
      const baseUrl = await runtime.runPromise(
        Effect.map(Effect.service(HttpServer.HttpServer), (s) => HttpServer.formatAddress(s.address))
      )
      const answer = await send(baseUrl, "GET", "/boom")
      assert.strictEqual(answer.status, 500)
      assert.isTrue(isEnvelope(answer.body))
      assert.include(answer.body.errors[0].message, answer.requestId!)
      assert.isTrue(
        logged.some((line) => line.includes(answer.requestId!) && line.includes("the disk caught fire")),
        logged.join("\n")
      )
    } finally {
      await runtime.dispose()
    }
  })
})
