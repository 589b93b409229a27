/**
 * Fuzz: every endpoint of the OpenAPI document gets schema-derived bodies (sampled from the API's own
 * payload schemas), malformed bodies, garbage path parameters and query values, with a valid token, a bad
 * token and none. Whatever comes in, nothing answers 5xx. Seeds are fixed; ONAIR_FUZZ_SEED and
 * ONAIR_FUZZ_RUNS change them.
 */
import {
  CreateLivestreamBody,
  CreateMeetingBody,
  CreateTokenBody,
  StartMeetingLivestreamBody,
  UpdateLivestreamBody
} from "@onair/adapters-http"
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
const schemaDerivedBodies = Effect.runSync(Effect.forEach(bodySchemas, (schema) =>
  Effect.map(
    Arbitrary.sampleEffect(Arbitrary.schema(schema), { count: 8, seed: SEED }),
    (samples) => samples.map((sample) => Schema.encodeUnknownSync(schema as Schema.Codec<unknown, unknown>)(sample))
  ))).flat()

const garbage = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom("", " ", "../../etc/passwd", "%00", "null", "-1", "0", "1e309", "NaN", "true", "[]", "{}", "x".repeat(5000)),
  fc.integer().map(String),
  fc.uuid()
)

const malformedBody = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.constantFrom("{", "not json", "[1,2", "\u0000", '{"name": {"$gt": ""}}', '{"name": "x", "name": 1}', ""),
  fc.dictionary(fc.constantFrom("name", "video_config", "reconnect_window_seconds", "apps", "label", "title"), fc.jsonValue())
    .map((value) => JSON.stringify(value))
)

describe("fuzz: no input gets a 5xx", () => {
  const server = useServer()

  it(`every endpoint, schema-derived and malformed inputs (seed ${SEED}, ${RUNS} runs per endpoint)`, async () => {
    const token = await server.token(ACCOUNT)
    // A real livestream and meeting, so some fuzzed requests reach deep into the handlers.
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
    const livestream = await (await fetch(`${server.baseUrl}/accounts/${ACCOUNT}/realtime/kit/app_1/livestreams`, {
      method: "POST",
      headers,
      body: "{}"
    })).json() as any
    const meeting = await (await fetch(`${server.baseUrl}/accounts/${ACCOUNT}/realtime/kit/app_1/meetings`, {
      method: "POST",
      headers,
      body: "{}"
    })).json() as any
    const known: Record<string, string> = {
      account_id: ACCOUNT,
      app_id: "app_1",
      livestream_id: livestream.data.id,
      session_id: crypto.randomUUID(),
      meeting_id: meeting.data.id,
      token_id: `tok_${"a".repeat(24)}`
    }

    const spec = await (await fetch(`${server.baseUrl}/openapi.json`)).json() as any
    const operations = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      ["get", "post", "patch", "delete"].flatMap((method) => item[method] === undefined ? [] : [{ path, method, operation: item[method] }])
    )
    const failures: Array<string> = []
    const statuses = new Set<number>()
    let sent = 0

    for (const { path, method, operation } of operations) {
      const isAdmin = path.startsWith("/admin")
      const queryNames: Array<string> = (operation.parameters ?? []).filter((p: any) => p.in === "query").map((p: any) => p.name)
      const request = fc.record({
        pathValues: fc.dictionary(fc.constantFrom(...Object.keys(known)), fc.oneof(fc.constant(undefined), garbage)),
        query: fc.array(fc.tuple(fc.constantFrom(...queryNames, "unknown", "page_no"), garbage), { maxLength: 4 }),
        body: fc.oneof(fc.constantFrom(...schemaDerivedBodies.map((body) => JSON.stringify(body))), malformedBody),
        auth: fc.constantFrom("valid", "valid", "valid", "bad", "none"),
        contentType: fc.constantFrom("application/json", "application/json", "text/plain", "application/x-www-form-urlencoded")
      })
      const samples = fc.sample(request, { seed: SEED + sent, numRuns: RUNS })
      for (const sample of samples) {
        const url = new URL(server.baseUrl + path.replace(/\{([^}]+)\}/g, (_, name: string) =>
          encodeURIComponent(sample.pathValues[name] ?? known[name] ?? "x")))
        for (const [key, value] of sample.query) url.searchParams.append(key, value)
        const authorization = sample.auth === "none"
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
          failures.push(`${method.toUpperCase()} ${url.pathname}${url.search} ${sample.body.slice(0, 200)} -> ${response.status} ${(await response.text()).slice(0, 200)}`)
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
})
