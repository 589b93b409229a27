/**
 * Sessions and analytics over HTTP, after media reached a livestream through the command path (as the
 * media plane's callbacks will).
 */
import { ActiveSessionRecord, DayWiseAnalyticsRecord, OverallAnalyticsRecord, SessionRecord } from "@onair/core"
import { Schema } from "effect"
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

const ACCOUNT = "acct_sessions"
const base = `/accounts/${ACCOUNT}/realtime/kit/app_1`

describe("sessions and analytics over HTTP", () => {
  const server = useServer()
  const get = (path: string, token: string) => server.call("GET", path, token)

  it("answers the active session, the session detail and the analytics once media arrived", async () => {
    const token = await server.token(ACCOUNT)
    const created = (await (
      await fetch(`${server.baseUrl}${base}/livestreams`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "with media" })
      })
    ).json()) as any
    const id = created.data.id as string
    const inactive = await get(`${base}/livestreams/${id}/active-livestream-session`, token)
    assert.strictEqual(inactive.status, 200, "an invoked session is the active one")

    const startedAt = Date.now()
    await server.publish(created.data.stream_key, { at: startedAt })

    const active = await get(`${base}/livestreams/${id}/active-livestream-session`, token)
    assert.strictEqual(active.status, 200)
    assert.strictEqual(active.body.data.livestream.status, "LIVE")
    const session = Schema.decodeUnknownSync(ActiveSessionRecord)(active.body.data.session)
    assert.isString(session.ingest_seconds)
    assert.isNotNull(session.started_time)

    const detail = await get(`${base}/livestreams/sessions/${session.id}`, token)
    assert.strictEqual(detail.status, 200)
    Schema.decodeUnknownSync(SessionRecord)(detail.body.data)
    assert.strictEqual(detail.body.data.livestream_id, id)

    const overall = await get(`${base}/analytics/livestreams/overall`, token)
    assert.deepInclude(Schema.decodeUnknownSync(OverallAnalyticsRecord)(overall.body.data), { count: 1 })
    const before = await get(`${base}/analytics/livestreams/overall?end_time=2020-01-01T00:00:00Z`, token)
    assert.strictEqual(before.body.data.count, 0)

    const daywise = await get(`${base}/analytics/daywise`, token)
    const record = Schema.decodeUnknownSync(DayWiseAnalyticsRecord)(daywise.body.data)
    assert.strictEqual(record.session_stats.day_stats.length, 31, "30 days ago to today")
    assert.strictEqual(
      record.recording_stats.recording_count,
      0,
      "a session with media is no recording until one is ready"
    )
    // The current RealtimeKit clients send Unix seconds.
    const seconds = Math.floor(startedAt / 1000)
    const overallUnix = await get(
      `${base}/analytics/livestreams/overall?start_time=${seconds - 60}&end_time=${seconds + 60}`,
      token
    )
    assert.strictEqual(overallUnix.status, 200, overallUnix.text)
    assert.strictEqual(overallUnix.body.data.count, 1)
    const days = await get(
      `${base}/analytics/livestreams/daywise?start_time=${seconds - 86_400}&end_time=${seconds + 60}`,
      token
    )
    assert.strictEqual(days.status, 200, days.text)
    const today = new Date(startedAt).toISOString().slice(0, 10)
    assert.deepInclude(
      days.body.data.find((day: any) => day.date === today),
      { count: 1 }
    )
    assert.strictEqual(
      days.body.data.reduce((n: number, day: any) => n + day.count, 0),
      1
    )
    const filtered = await get(`${base}/analytics/livestreams/daywise?filters=livestream_id%3Dx`, token)
    assert.strictEqual(filtered.status, 400)
    assert.match(filtered.body.errors[0].message, /^filters: /)
    const garbage = await get(`${base}/analytics/livestreams/daywise?start_time=yesterday`, token)
    assert.strictEqual(garbage.status, 400)
    assert.match(garbage.body.errors[0].message, /start_time/)
    const oneDay = await get(`${base}/analytics/daywise?start_date=2026-11-01&end_date=2026-11-01`, token)
    assert.deepStrictEqual(
      oneDay.body.data.session_stats.day_stats.map((d: any) => d.day),
      ["2026-11-01"]
    )
  })

  it("answers 404 for unknown sessions and livestreams, 400 for bad days and ranges", async () => {
    const token = await server.token(ACCOUNT)
    assert.strictEqual((await get(`${base}/livestreams/sessions/${crypto.randomUUID()}`, token)).status, 404)
    assert.strictEqual(
      (await get(`${base}/livestreams/${crypto.randomUUID()}/active-livestream-session`, token)).status,
      404
    )
    for (const [query, field] of [
      ["start_date=2026-02-30", "start_date"],
      ["end_date=tomorrow", "end_date"],
      ["start_date=2026-11-10&end_date=2026-11-01", "end_date"],
      ["start_date=2020-01-01&end_date=2026-01-01", "start_date"]
    ] as const) {
      const response = await get(`${base}/analytics/daywise?${query}`, token)
      assert.strictEqual(response.status, 400, query)
      assert.include(response.body.errors[0].message, field, query)
    }
    const badRange = await get(
      `${base}/analytics/livestreams/overall?start_time=2026-11-10T00:00:00Z&end_time=2026-11-01T00:00:00Z`,
      token
    )
    assert.strictEqual(badRange.status, 400)
  })
})
