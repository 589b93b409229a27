/**
 * Fuzz: every endpoint of the OpenAPI document gets schema-derived bodies (sampled from the API's own
 * payload schemas), malformed bodies, garbage path parameters and query values, with a valid token, a bad
 * token and none; then the hostile string classes of the security review (NUL, lone surrogates, 10 MB
 * strings, deep nesting, unknown fields) in every body field, path parameter and query value. Whatever
 * comes in, nothing answers 5xx, and every 4xx is in the envelope. Seeds are fixed; ONAIR_FUZZ_SEED and
 * ONAIR_FUZZ_RUNS change them.
 */
import {
  CreateLivestreamBody,
  CreateMeetingBody,
  CreateTokenBody,
  StartMeetingLivestreamBody,
  UpdateLivestreamBody
} from "@onair/http-api"
import { Effect, Schema } from "effect"
import * as Arbitrary from "effect/Arbitrary"
import fc from "fast-check"
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

process.env.ONAIR_ADMIN_TOKEN = "fuzz-admin-token"
const SEED = Number(process.env.ONAIR_FUZZ_SEED ?? 20_261_121)
const RUNS = Number(process.env.ONAIR_FUZZ_RUNS ?? 12)
const ACCOUNT = "acct_fuzz"

const bodySchemas: ReadonlyArray<Schema.Top> = [
  CreateLivestreamBody,
  UpdateLivestreamBody,
  CreateMeetingBody,
  StartMeetingLivestreamBody,
  CreateTokenBody
]

/** Valid bodies of every payload schema, encoded as a client would send them. */
const schemaDerivedBodies = Effect.runSync(
  Effect.forEach(bodySchemas, (schema) =>
    Effect.map(Arbitrary.sampleEffect(Arbitrary.schema(schema), { count: 8, seed: SEED }), (samples) =>
      samples.map((sample) => Schema.encodeUnknownSync(schema as Schema.Codec<unknown, unknown>)(sample))
    )
  )
).flat()

const garbage = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "../../etc/passwd",
    "%00",
    "null",
    "-1",
    "0",
    "1e309",
    "NaN",
    "true",
    "[]",
    "{}",
    "x".repeat(5000)
  ),
  fc.integer().map(String),
  fc.uuid()
)

const malformedBody = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.constantFrom("{", "not json", "[1,2", "\u0000", '{"name": {"$gt": ""}}', '{"name": "x", "name": 1}', ""),
  fc
    .dictionary(
      fc.constantFrom("name", "video_config", "reconnect_window_seconds", "apps", "label", "title"),
      fc.jsonValue()
    )
    .map((value) => JSON.stringify(value))
)

/** The review's string classes, as JSON text (a lone surrogate cannot survive JSON.stringify). */
const HOSTILE_STRINGS: ReadonlyArray<readonly [string, string]> = [
  ["NUL", JSON.stringify("a\u0000b")],
  ["lone high surrogate", '"a\\ud800b"'],
  ["lone low surrogate", '"\\udc00"'],
  ["10 MB", JSON.stringify("x".repeat(10 * 1024 * 1024))],
  ["deep nesting", "[".repeat(5000) + "]".repeat(5000)],
  ["object in place of text", '{"$gt":""}']
]
/** Percent-encoded as a client sends them: NUL, a lone surrogate's UTF-8 form, bad UTF-8, 20 kB. */
const HOSTILE_PARAMS: ReadonlyArray<string> = ["a%00b", "%ED%A0%80", "%FF%FE", "%C0%AE%C0%AE", "x".repeat(20_000)]

/** A server-sent event stream: it does not end, so its body is not read to the end. */
const isStream = (response: { readonly headers: Headers }) =>
  (response.headers.get("content-type") ?? "").startsWith("text/event-stream")

describe("fuzz: no input gets a 5xx", () => {
  const server = useServer()

  it(`every endpoint, schema-derived and malformed inputs (seed ${SEED}, ${RUNS} runs per endpoint)`, async () => {
    const token = await server.token(ACCOUNT)
    // A real livestream and meeting, so some fuzzed requests reach deep into the handlers.
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
    const livestream = (await (
      await fetch(`${server.baseUrl}/accounts/${ACCOUNT}/realtime/kit/app_1/livestreams`, {
        method: "POST",
        headers,
        body: "{}"
      })
    ).json()) as any
    const meeting = (await (
      await fetch(`${server.baseUrl}/accounts/${ACCOUNT}/realtime/kit/app_1/meetings`, {
        method: "POST",
        headers,
        body: "{}"
      })
    ).json()) as any
    const known: Record<string, string> = {
      account_id: ACCOUNT,
      app_id: "app_1",
      livestream_id: livestream.data.id,
      session_id: crypto.randomUUID(),
      meeting_id: meeting.data.id,
      token_id: `tok_${"a".repeat(24)}`
    }

    const spec = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as any
    const operations = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      ["get", "post", "patch", "delete"].flatMap((method) =>
        item[method] === undefined ? [] : [{ path, method, operation: item[method] }]
      )
    )
    const failures: Array<string> = []
    const statuses = new Set<number>()
    let sent = 0

    for (const { path, method, operation } of operations) {
      const isAdmin = path.startsWith("/admin")
      const queryNames: Array<string> = (operation.parameters ?? [])
        .filter((p: any) => p.in === "query")
        .map((p: any) => p.name)
      const request = fc.record({
        pathValues: fc.dictionary(fc.constantFrom(...Object.keys(known)), fc.oneof(fc.constant(undefined), garbage)),
        query: fc.array(fc.tuple(fc.constantFrom(...queryNames, "unknown", "page_no"), garbage), { maxLength: 4 }),
        body: fc.oneof(fc.constantFrom(...schemaDerivedBodies.map((body) => JSON.stringify(body))), malformedBody),
        auth: fc.constantFrom("valid", "valid", "valid", "bad", "none"),
        contentType: fc.constantFrom(
          "application/json",
          "application/json",
          "text/plain",
          "application/x-www-form-urlencoded"
        )
      })
      const samples = fc.sample(request, { seed: SEED + sent, numRuns: RUNS })
      for (const sample of samples) {
        const url = new URL(
          server.baseUrl +
            path.replace(/\{([^}]+)\}/g, (_, name: string) =>
              encodeURIComponent(sample.pathValues[name] ?? known[name] ?? "x")
            )
        )
        for (const [key, value] of sample.query) url.searchParams.append(key, value)
        const authorization =
          sample.auth === "none"
            ? undefined
            : sample.auth === "bad"
              ? "Bearer onair_nonsense"
              : `Bearer ${isAdmin ? "fuzz-admin-token" : token}`
        const response = await fetch(url, {
          method: method.toUpperCase(),
          headers: {
            ...(authorization === undefined ? {} : { authorization }),
            ...(method === "get" || method === "delete" ? {} : { "content-type": sample.contentType })
          },
          ...(method === "get" || method === "delete" ? {} : { body: sample.body })
        })
        sent++
        statuses.add(response.status)
        if (response.status >= 500) {
          failures.push(
            `${method.toUpperCase()} ${url.pathname}${url.search} ${sample.body.slice(0, 200)} -> ${response.status} ${(await response.text()).slice(0, 200)}`
          )
        } else if (isStream(response)) {
          await response.body?.cancel()
        } else {
          await response.arrayBuffer()
        }
      }
    }
    assert.isAtLeast(sent, operations.length * RUNS)
    assert.deepStrictEqual(failures, [])
    // The inputs reach every layer: accepted, refused as malformed, unauthorised, unknown.
    for (const status of [200, 400, 401, 404]) assert.isTrue(statuses.has(status), `some request answered ${status}`)
  }, 120_000)

  it("every operation, every field, path parameter and query value, with the review's hostile strings", async () => {
    const token = await server.token(ACCOUNT)
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
    const made = async (path: string) =>
      (
        (await (
          await fetch(`${server.baseUrl}/accounts/${ACCOUNT}/realtime/kit/app_1/${path}`, {
            method: "POST",
            headers,
            body: "{}"
          })
        ).json()) as any
      ).data
    const known: Record<string, string> = {
      account_id: ACCOUNT,
      app_id: "app_1",
      livestream_id: (await made("livestreams")).id,
      session_id: crypto.randomUUID(),
      meeting_id: (await made("meetings")).id,
      token_id: `tok_${"a".repeat(24)}`,
      endpoint_id: `wh_${"a".repeat(24)}`,
      message_id: crypto.randomUUID()
    }
    const spec = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as any
    const operations = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      ["get", "post", "patch", "delete"].flatMap((method) =>
        item[method] === undefined ? [] : [{ path, method, operation: item[method] }]
      )
    )
    const counts = { requests: 0, "2xx/3xx": 0, "4xx": 0, "5xx": 0 }
    let bodyFields = 0
    const failures: Array<string> = []
    const request = async (method: string, url: string, body: string | undefined, label: string) => {
      const isAdmin = new URL(url).pathname.startsWith("/admin")
      const response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${isAdmin ? "fuzz-admin-token" : token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" })
        },
        ...(body === undefined ? {} : { body })
      }).catch((error: unknown) => ({ status: 0, headers: new Headers(), body: null, text: async () => String(error) }))
      // A stream that was accepted (the event feed) goes on for as long as it is read: its start is enough.
      const text =
        response.status < 400 && isStream(response)
          ? ((await response.body?.cancel().then(() => "")) ?? "")
          : await response.text()
      counts.requests++
      if (response.status >= 500 || response.status === 0) {
        counts["5xx"]++
        failures.push(`${label}: ${method} ${url.slice(0, 160)} -> ${response.status} ${text.slice(0, 160)}`)
      } else if (response.status >= 400) {
        counts["4xx"]++
        let enveloped = false
        try {
          const parsed = JSON.parse(text)
          enveloped = parsed.success === false && Array.isArray(parsed.errors)
        } catch {}
        if (!enveloped)
          failures.push(
            `${label}: ${method} ${url.slice(0, 160)} -> ${response.status} without the envelope: ${text.slice(0, 160)}`
          )
      } else counts["2xx/3xx"]++
    }
    const pathFor = (path: string, override?: readonly [string, string]) =>
      server.baseUrl +
      path.replace(/\{([^}]+)\}/g, (_, name: string) =>
        override !== undefined && override[0] === name ? override[1] : encodeURIComponent(known[name] ?? "x")
      )

    for (const { path, method, operation } of operations) {
      const verb = method.toUpperCase()
      const hasBody = method === "post" || method === "patch"
      // Body fields: every top-level field the operation's schema names (and one it does not), each hostile.
      const schema = operation.requestBody?.content?.["application/json"]?.schema
      const resolved = schema?.$ref === undefined ? schema : spec.components?.schemas?.[schema.$ref.split("/").pop()]
      const fields = [...Object.keys(resolved?.properties ?? {}), "unknown_field"]
      if (hasBody) bodyFields += fields.length - 1
      if (hasBody) {
        for (const field of fields) {
          for (const [label, hostile] of HOSTILE_STRINGS) {
            await request(verb, pathFor(path), `{"${field}":${hostile}}`, `${field} ${label}`)
          }
        }
        await request(verb, pathFor(path), "[".repeat(100_000) + "]".repeat(100_000), "deep body")
      }
      for (const name of [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!)) {
        for (const value of HOSTILE_PARAMS)
          await request(verb, pathFor(path, [name, value]), hasBody ? "{}" : undefined, `path ${name}`)
      }
      const queryNames: Array<string> = (operation.parameters ?? [])
        .filter((p: any) => p.in === "query")
        .map((p: any) => p.name)
      for (const name of [...queryNames, "unknown"]) {
        for (const value of HOSTILE_PARAMS) {
          await request(verb, `${pathFor(path)}?${name}=${value}`, hasBody ? "{}" : undefined, `query ${name}`)
        }
      }
    }
    console.log(
      `hostile fuzz: ${JSON.stringify(counts)} over ${operations.length} operations, ${bodyFields} body fields`
    )
    // The schemas were read: the bodies' own fields were fuzzed, not only an unknown one.
    assert.isAtLeast(bodyFields, 10)
    assert.deepStrictEqual(failures, [])
    assert.isAbove(counts["4xx"], operations.length * HOSTILE_PARAMS.length)
  }, 300_000)
})
