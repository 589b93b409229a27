/**
 * Seed 003's getStatus and seed 000's ingest record over HTTP: before media (with the media server
 * accepting), while live, and the stream key nowhere in them.
 */
import { IngestSessionStatusRecord, LiveEventStatusRecord, MANIFEST_NOT_AVAILABLE } from "@onair/core"
import { Schema } from "effect"
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

const ACCOUNT = "acct_status"
const base = `/accounts/${ACCOUNT}/realtime/kit/app_1/livestreams`

describe("live-event status and ingest record over HTTP", () => {
  const server = useServer({ mediaReady: true })
  const call = server.call

  it("answers the seeds' bodies before and during a broadcast", async () => {
    const token = await server.token(ACCOUNT)
    const created = (await call("POST", base, token, { name: "status" })).body.data
    const key = created.stream_key as string

    const waiting = await call("POST", `${base}/${created.id}/getStatus`, token)
    assert.strictEqual(waiting.status, 200)
    const before = Schema.decodeUnknownSync(LiveEventStatusRecord)(waiting.body)
    // The event runs as soon as the media server accepts publishers; no publisher yet, no health.
    assert.deepStrictEqual(before.value[0], { state: "Running", extendedState: "Running", healthDescriptions: [] })
    const ingestBefore = await call("GET", `${base}/${created.id}/ingest`, token)
    assert.strictEqual(Schema.decodeUnknownSync(IngestSessionStatusRecord)(ingestBefore.body.data).status, "2")

    await server.publish(key)
    const live = await call("POST", `${base}/${created.id}/getStatus`, token)
    const during = Schema.decodeUnknownSync(LiveEventStatusRecord)(live.body)
    assert.deepInclude(during.value[0], { state: "Running", extendedState: "Running" })
    assert.deepStrictEqual(during.value[0]!.healthDescriptions, [MANIFEST_NOT_AVAILABLE])
    const ingestLive = await call("GET", `${base}/${created.id}/ingest`, token)
    assert.strictEqual(Schema.decodeUnknownSync(IngestSessionStatusRecord)(ingestLive.body.data).status, "4")
    assert.notInclude(live.text, key, "getStatus never shows the stream key")

    const other = (await call("POST", base, token, {})).body.data
    await call("POST", `${base}/${other.id}/disable`, token)
    const disabled = await call("POST", `${base}/${other.id}/getStatus`, token)
    assert.deepStrictEqual(disabled.body.value[0], {
      state: "Stopped",
      extendedState: "Stopped",
      healthDescriptions: []
    })
  })

  it("answers a repeated detail read again only while it is right: a live session's seconds move on, a change shows", async () => {
    const token = await server.token(ACCOUNT)
    const created = (await call("POST", base, token, { name: "detail" })).body.data
    const startedAt = Date.now()
    await server.publish(created.stream_key, { at: startedAt })
    const read = async () => {
      const asked = Date.now()
      const answer = await call("GET", `${base}/${created.id}`, token)
      return { asked, answered: Date.now(), body: answer.body, text: answer.text }
    }
    const first = await read()
    const again = await read()
    // The session is live: its ingest seconds are those of the moment of each read, kept answer or not.
    for (const { asked, answered, body } of [first, again]) {
      const seconds = body.data.session.ingest_seconds as number
      assert.isAtLeast(seconds, Math.floor((asked - startedAt) / 1000) - 1)
      assert.isAtMost(seconds, Math.floor((answered - startedAt) / 1000) + 1)
    }
    // Time is what is under test here: a read two seconds on answers two more seconds.
    const later = Math.floor(first.answered / 1000) + 2
    while (Math.floor(Date.now() / 1000) < later) await new Promise((resolve) => setTimeout(resolve, 50))
    const third = await read()
    assert.isAtLeast(third.body.data.session.ingest_seconds, first.body.data.session.ingest_seconds + 1)
    // A change to the livestream is in the next read.
    await call("PATCH", `${base}/${created.id}`, token, { name: "renamed" })
    assert.strictEqual((await read()).body.data.livestream.name, "renamed")
  })

  it("answers 404 for another app's livestream", async () => {
    const owner = await server.token(ACCOUNT, ["app_1"])
    const id = (await call("POST", base, owner, {})).body.data.id as string
    const other = await server.token(ACCOUNT, ["app_2"])
    const response = await call("POST", `/accounts/${ACCOUNT}/realtime/kit/app_2/livestreams/${id}/getStatus`, other)
    assert.strictEqual(response.status, 404)
  })
})
