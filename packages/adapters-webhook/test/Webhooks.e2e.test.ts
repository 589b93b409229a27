/**
 * Webhooks end to end: the main job (API, nginx, outbox and deliveries in one process) sends to real local
 * receivers; every signature is checked with the `standardwebhooks` package, an independent
 * implementation of the scheme. Retries run on a shortened schedule (300 ms, three times).
 */
import { SEED_WEBHOOK_SAMPLES, seedConformance } from "@onair/core"
import { type MainJob, publish, startMainJob, startReceiver, waitFor } from "@onair/test-support"
import { Webhook } from "standardwebhooks"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

const INBOUND_SECRET = `whsec_${Buffer.from("an inbound secret of thirty-two b").toString("base64")}`

describe("webhooks", { timeout: 120_000 }, () => {
  let job: MainJob

  beforeAll(async () => {
    job = await startMainJob({
      ONAIR_WEBHOOK_RETRY_SCHEDULE: "300ms,300ms,300ms",
      ONAIR_INBOUND_WEBHOOK_SECRET: INBOUND_SECRET
    })
  }, 90_000)
  afterAll(async () => {
    await job?.stop()
  })

  const endpoint = async (url: string, events?: ReadonlyArray<string>) => {
    const created = await job.api("POST", "/webhooks", { url, ...(events === undefined ? {} : { events }) })
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    return created.body.data as { id: string; secret: string }
  }
  const livestream = async (name = "hooks") => (await job.api("POST", "/livestreams", { name })).body.data
  const bodies = (received: ReadonlyArray<{ body: string }>) => received.map((r) => JSON.parse(r.body))

  it("delivers committed events in the seed's envelope, signed, numbered per livestream, and keeps them in the feed", async () => {
    const receiver = await startReceiver()
    const { secret } = await endpoint(receiver.url)
    const verifier = new Webhook(secret)
    const created = await livestream()
    const encoder = publish(`rtmp://127.0.0.1:${job.rtmpPort}/live/${created.stream_key}`)
    await job.api("PATCH", `/livestreams/${created.id}`, { reconnect_window_seconds: 0 })
    await waitFor("hls.started.success", async () =>
      bodies(receiver.received).some((b) => b.type === "hls.started.success" && b.data.livestream_id === created.id)
        ? true
        : undefined
    )
    await encoder.stop()
    await waitFor("ingest.end.success", async () =>
      bodies(receiver.received).some((b) => b.type === "ingest.end.success" && b.data.livestream_id === created.id)
        ? true
        : undefined
    )
    await waitFor("IDLE", async () =>
      bodies(receiver.received).some((b) => b.type === "livestream.status.changed" && b.data.status === "IDLE")
        ? true
        : undefined
    )

    for (const request of receiver.received) {
      // Throws on a bad signature or a stale timestamp.
      verifier.verify(request.body, request.headers as Record<string, string>)
      assert.strictEqual(JSON.parse(request.body).id, request.headers["webhook-id"])
    }
    const events = bodies(receiver.received).filter((b) => b.data.livestream_id === created.id)
    for (const event of events) {
      assert.deepStrictEqual(Object.keys(event).sort(), [
        "account_id",
        "app_id",
        "data",
        "id",
        "sequence",
        "template_id",
        "timestamp",
        "type",
        "version"
      ])
      assert.strictEqual(event.version, "2.0")
      assert.strictEqual(event.template_id, job.app)
      assert.match(event.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      assert.strictEqual(event.account_id, job.account)
      assert.strictEqual(event.app_id, job.app)
    }
    const sequences = events.map((e) => e.sequence).sort((a, b) => a - b)
    assert.deepStrictEqual(
      sequences,
      sequences.map((_, i) => i + 1)
    )
    const types = events
      .sort((a, b) => a.sequence - b.sequence)
      .map((e) => (e.type === "livestream.status.changed" ? `status:${e.data.status}` : e.type))
    assert.deepStrictEqual(types, [
      "status:INVOKED",
      "ingest.start.success",
      "status:LIVE",
      "hls.started.success",
      "ingest.end.success",
      "hls.stopped.success",
      "status:IDLE"
    ])
    const ended = events.find((e) => e.type === "ingest.end.success")
    assert.strictEqual(ended.data.reason, "stream closed")
    assert.isAtLeast(ended.data.duration, 1)
    assert.strictEqual(ended.data.room_id, created.id)
    assert.strictEqual(ended.data.template_id, job.app)
    // <node>.<boot>.<nginx run>.<client id>: the connection named by the control plane.
    assert.match(ended.data.ingest_id, /^[a-z0-9-]+\.[A-Za-z0-9_-]{8,16}\.[0-9a-f]{8}\.\d+$/)
    assert.strictEqual(events.find((e) => e.type === "hls.started.success").data.url, created.playback_url)

    // The feed has the same events, in order, page by page.
    const first = (await job.api("GET", "/webhooks/events?after=0&limit=2")).body.data
    assert.strictEqual(first.events.length, 2)
    const rest = (await job.api("GET", `/webhooks/events?after=${first.next_cursor}&limit=1000`)).body.data
    const feed = [...first.events, ...rest.events]
    const ids = new Set(feed.map((e: { id: string }) => e.id))
    for (const event of events) assert.isTrue(ids.has(event.id))
    assert.strictEqual((await job.api("GET", `/webhooks/events?after=${rest.next_cursor}`)).body.data.events.length, 0)
    assert.strictEqual((await job.api("GET", "/webhooks/events?after=-1")).status, 400)
    await receiver.close()
  })

  it("follows the feed as server-sent events: from now on, and after Last-Event-ID when it reconnects", async () => {
    const base = `${job.url}/accounts/${job.account}/realtime/kit/${job.app}/webhooks/events/stream`
    /** The events of a stream until `enough` says so, then the connection closed. */
    const follow = async (
      headers: Record<string, string>,
      enough: (events: Array<{ id?: string; event: string; data: any }>) => boolean,
      connected: () => void = () => {}
    ) => {
      const controller = new AbortController()
      const response = await fetch(base, {
        headers: { authorization: `Bearer ${job.token}`, ...headers },
        signal: controller.signal
      })
      // The feed answers its headers once it follows from now on.
      connected()
      assert.strictEqual(response.status, 200)
      assert.include(response.headers.get("content-type") ?? "", "text/event-stream")
      const events: Array<{ id?: string; event: string; data: any }> = []
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
      let buffer = ""
      const timer = setTimeout(() => controller.abort(), 20_000)
      try {
        while (!enough(events)) {
          const { value, done } = await reader.read()
          if (done) break
          buffer += value
          for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
            // A line that starts with a colon is a comment (the feed's first line is one): not an event.
            const lines = buffer
              .slice(0, end)
              .split("\n")
              .filter((line) => !line.startsWith(":"))
            const fields = Object.fromEntries(
              lines.map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)])
            )
            buffer = buffer.slice(end + 2)
            if (lines.length === 0) continue
            events.push({
              ...(fields["id"] === undefined ? {} : { id: fields["id"] }),
              event: fields["event"] ?? "message",
              data: JSON.parse(fields["data"] || "null")
            })
          }
        }
      } finally {
        clearTimeout(timer)
        controller.abort()
      }
      return events
    }
    // On a quiet feed the headers and a first comment come at once, not with the first event or keep-alive.
    const quiet = await fetch(base, {
      headers: { authorization: `Bearer ${job.token}` },
      signal: AbortSignal.timeout(10_000)
    })
    assert.strictEqual(quiet.status, 200)
    assert.include(quiet.headers.get("content-type") ?? "", "text/event-stream")
    const first = await quiet.body!.getReader().read()
    assert.strictEqual(new TextDecoder().decode(first.value), ": connected\n\n")
    await quiet.body!.cancel().catch(() => {})

    // What the feed held before the connection is not sent again: only the new livestream's events arrive.
    // (The outbox takes appends in a moment after they commit; `settled` waits until it holds this one.)
    const before = await livestream("earlier")
    await job.settled()
    let following = () => {}
    const connected = new Promise<void>((resolve) => (following = resolve))
    const waiting = follow(
      {},
      (events) =>
        events.some((e) => e.data?.data?.livestream_id !== undefined && e.data.data.livestream_id !== before.id),
      following
    )
    await connected
    const created = await livestream("followed")
    const seen = await waiting
    assert.isFalse(seen.some((e) => e.data?.data?.livestream_id === before.id))
    const status = seen.find((e) => e.data.data.livestream_id === created.id)!
    assert.strictEqual(status.event, "livestream.status.changed")
    assert.strictEqual(status.data.type, "livestream.status.changed")
    assert.strictEqual(status.data.data.status, "INVOKED")
    const cursor = seen.at(-1)!.id
    assert.match(cursor ?? "", /^\d+$/)

    // Reconnecting after that event: only what came after it.
    const next = await livestream("after the cursor")
    const resumed = await follow({ "last-event-id": cursor! }, (events) =>
      events.some((e) => e.data?.data?.livestream_id === next.id)
    )
    assert.isFalse(resumed.some((e) => e.data?.data?.livestream_id === created.id))

    assert.strictEqual((await fetch(base)).status, 401)
    const otherApp = await fetch(base.replace(`/${job.app}/`, "/no_such_app/"), {
      headers: { authorization: `Bearer ${job.token}` }
    })
    assert.strictEqual(otherApp.status, 404)
    const badCursor = await fetch(base, { headers: { authorization: `Bearer ${job.token}`, "last-event-id": "x" } })
    assert.strictEqual(badCursor.status, 400)
    assert.match(await badCursor.text(), /last-event-id/)
  })

  it("filters by exact types and wildcards", async () => {
    const receiver = await startReceiver()
    await endpoint(receiver.url, ["ingest.*", "livestream.status.changed"])
    const only = await startReceiver()
    await endpoint(only.url, ["hls.started.success"])
    const created = await livestream()
    await waitFor("the status change", async () => (receiver.received.length > 0 ? true : undefined))
    // What must not come: once the outbox has sent everything the log holds, nothing else of it will.
    await job.settled()
    assert.deepStrictEqual(
      bodies(receiver.received)
        .filter((b) => b.data.livestream_id === created.id)
        .map((b) => b.type),
      ["livestream.status.changed"]
    )
    assert.strictEqual(only.received.length, 0)
    assert.strictEqual((await job.api("POST", "/webhooks", { url: receiver.url, events: ["not a type"] })).status, 400)
    assert.strictEqual((await job.api("POST", "/webhooks", { url: "ftp://example.com/x" })).status, 400)
    await receiver.close()
    await only.close()
  })

  it("an endpoint subscribed by RealtimeKit's names receives those names in `type`, signed over what it receives", async () => {
    const receiver = await startReceiver()
    const created = await job.api("POST", "/webhooks", {
      url: receiver.url,
      name: "RealtimeKit names",
      events: ["livestreaming.statusUpdate", "meeting.started", "meeting.summary"]
    })
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    assert.strictEqual(created.body.data.name, "RealtimeKit names")
    const verifier = new Webhook(created.body.data.secret)
    const stream = await livestream("aliased")
    await waitFor("the status change", async () => (receiver.received.length > 0 ? true : undefined))
    // What must not come: a delivery under another name, sent by now if it was made.
    await job.settled()
    const mine = receiver.received.filter((r) => JSON.parse(r.body).data.livestream_id === stream.id)
    assert.deepStrictEqual(
      mine.map((r) => JSON.parse(r.body).type),
      ["livestreaming.statusUpdate"]
    )
    for (const request of mine) verifier.verify(request.body, request.headers as Record<string, string>)
    // The feed keeps OnAir's own name for the same message.
    const feed = (await job.api("GET", "/webhooks/events?limit=1000")).body.data.events as Array<any>
    const id = JSON.parse(mine[0]!.body).id
    assert.strictEqual(feed.find((e) => e.id === id)?.type, "livestream.status.changed")
    const unknown = await job.api("POST", "/webhooks", { url: receiver.url, events: ["meeting.somethingElse"] })
    assert.strictEqual(unknown.status, 400)
    assert.match(JSON.stringify(unknown.body), /events/)
    await receiver.close()
  })

  it("retries a receiver that fails twice, with the same webhook-id, and lists every attempt", async () => {
    // Each answer takes 150 ms: the attempts' latency says so.
    const receiver = await startReceiver({ respond: (nth) => (nth <= 2 ? 500 : 200), delayMs: 150 })
    // Status changes only: an earlier test's recording is finalised meanwhile, and its webhooks would come too.
    const { id } = await endpoint(receiver.url, ["livestream.status.changed"])
    await livestream()
    await waitFor("the third attempt", async () => (receiver.received.length >= 3 ? true : undefined))
    // What must not come: a fourth attempt after a 200 (nothing waits in the outbox any more).
    await job.settled()
    assert.strictEqual(receiver.received.length, 3)
    assert.strictEqual(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size, 1)
    const attempts = await waitFor("the attempts", async () => {
      const listed = (await job.api("GET", `/webhooks/${id}/attempts`)).body.data
      return listed.length === 3 ? listed : undefined
    })
    assert.deepStrictEqual(
      attempts.map((a: { status: number }) => a.status),
      [500, 500, 200]
    )
    assert.deepStrictEqual(
      attempts.map((a: { attempt: number }) => a.attempt),
      [1, 2, 3]
    )
    assert.include(attempts[0].response_excerpt, "refused with 500")
    for (const attempt of attempts as Array<{ latency_ms: number }>) {
      assert.isAtLeast(attempt.latency_ms, 150)
      assert.isBelow(attempt.latency_ms, 15_000)
    }
    await receiver.close()
  })

  it("a 410 turns the endpoint off; nothing more is sent to it", async () => {
    const receiver = await startReceiver({ respond: () => 410 })
    const { id } = await endpoint(receiver.url)
    await livestream()
    await waitFor("the endpoint off", async () => {
      const found = (await job.api("GET", `/webhooks/${id}`)).body.data
      return found.enabled === false && found.disabled_reason === "gone" ? true : undefined
    })
    const before = receiver.received.length
    await livestream()
    // What must not come: a delivery to the endpoint the 410 turned off.
    await job.settled()
    assert.strictEqual(receiver.received.length, before)
    await receiver.close()
  })

  it("gives up after the schedule, then recovers every failed message since a time, and resends one", async () => {
    let up = false
    const receiver = await startReceiver({ respond: () => (up ? 200 : 503) })
    // Only this livestream's kind of event: recordings of the earlier cases' broadcasts end meanwhile.
    const { id } = await endpoint(receiver.url, ["livestream.*"])
    const since = new Date().toISOString()
    await livestream()
    await waitFor("four attempts", async () => (receiver.received.length >= 4 ? true : undefined))
    // What must not come: an attempt past the schedule (the delivery no longer waits).
    await job.settled()
    assert.strictEqual(receiver.received.length, 4)
    up = true
    const recovered = (await job.api("POST", `/webhooks/${id}/recover`, { since })).body.data
    assert.strictEqual(recovered.requeued, 1)
    await waitFor("the recovered delivery", async () => (receiver.received.length === 5 ? true : undefined))
    const messageId = receiver.received[0]!.headers["webhook-id"] as string
    assert.strictEqual(receiver.received[4]!.headers["webhook-id"], messageId)
    assert.strictEqual((await job.api("POST", `/webhooks/${id}/messages/${messageId}/resend`)).status, 200)
    await waitFor("the resent delivery", async () => (receiver.received.length === 6 ? true : undefined))
    assert.strictEqual(receiver.received[5]!.headers["webhook-id"], messageId)
    assert.strictEqual((await job.api("POST", `/webhooks/${id}/recover`, { since: "yesterday" })).status, 400)
    assert.strictEqual(
      (await job.api("POST", `/webhooks/${id}/messages/00000000-0000-4000-8000-000000000000/resend`)).status,
      404
    )
    await receiver.close()
  })

  it("rotating the secret signs with both secrets during the overlap", async () => {
    const receiver = await startReceiver()
    const { id, secret: old } = await endpoint(receiver.url)
    const rotated = (await job.api("POST", `/webhooks/${id}/rotate-secret`, { overlap_seconds: 3600 })).body.data
    assert.notStrictEqual(rotated.secret, old)
    await livestream()
    await waitFor("a delivery", async () => (receiver.received.length > 0 ? true : undefined))
    const request = receiver.received[0]!
    assert.strictEqual(String(request.headers["webhook-signature"]).split(" ").length, 2)
    new Webhook(old).verify(request.body, request.headers as Record<string, string>)
    new Webhook(rotated.secret).verify(request.body, request.headers as Record<string, string>)
    // Without an overlap only the new secret signs.
    const again = (await job.api("POST", `/webhooks/${id}/rotate-secret`, { overlap_seconds: 0 })).body.data
    await livestream()
    await waitFor("another delivery", async () => (receiver.received.length > 1 ? true : undefined))
    const last = receiver.received.at(-1)!
    new Webhook(again.secret).verify(last.body, last.headers as Record<string, string>)
    assert.throws(() => new Webhook(rotated.secret).verify(last.body, last.headers as Record<string, string>))
    await receiver.close()
  })

  describe("inbound events from a real-time media engine", () => {
    const send = (body: string, headers: Record<string, string>) =>
      fetch(`${job.url}/webhooks/realtime`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body
      })
    const signed = (envelope: object, at = new Date()) => {
      const body = JSON.stringify(envelope)
      const id = (envelope as { id: string }).id
      return {
        body,
        headers: {
          "webhook-id": id,
          "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
          "webhook-signature": new Webhook(INBOUND_SECRET).sign(id, at, body)
        }
      }
    }
    const event = (meetingId: string, type: string, data: object) => ({
      version: "2.0",
      id: crypto.randomUUID(),
      account_id: job.account,
      app_id: job.app,
      timestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      type,
      data: { room_id: meetingId, session_id: "rtc-session-1", ...data }
    })

    it("applies signed events once each; refuses forged and stale ones", async () => {
      const meeting = (await job.api("POST", "/meetings", { title: "standup" })).body.data
      const opened = signed(event(meeting.id, "session.open.success", { session_started_at: new Date().toISOString() }))
      const first = await send(opened.body, opened.headers)
      assert.strictEqual(first.status, 200)
      assert.deepInclude(((await first.json()) as any).data, { applied: true })
      const repeat = await send(opened.body, opened.headers)
      assert.strictEqual(repeat.status, 200)
      assert.deepInclude(((await repeat.json()) as any).data, { duplicate: true })

      const joined = signed(
        event(meeting.id, "peer.join.success", { peer_id: "peer-1", joined_at: new Date().toISOString() })
      )
      assert.strictEqual((await send(joined.body, joined.headers)).status, 200)

      const forged = signed(event(meeting.id, "peer.leave.success", { peer_id: "peer-1" }))
      assert.strictEqual((await send(forged.body.replace("peer-1", "peer-2"), forged.headers)).status, 401)
      const stale = signed(
        event(meeting.id, "peer.leave.success", { peer_id: "peer-1" }),
        new Date(Date.now() - 10 * 60_000)
      )
      assert.strictEqual((await send(stale.body, stale.headers)).status, 401)
      assert.strictEqual((await send(opened.body, {})).status, 401)
      const other = signed({ ...event(meeting.id, "peer.join.success", { peer_id: "x" }), app_id: "another_app" })
      assert.strictEqual((await send(other.body, other.headers)).status, 404)
      const bad = signed(event("not-a-uuid", "session.open.success", {}))
      const answer = await send(bad.body, bad.headers)
      assert.strictEqual(answer.status, 400)
      assert.include(((await answer.json()) as any).errors[0].message, "data.room_id")

      // The meeting saw one session opened and one participant joined: the outbox says so, once each.
      const feed = await waitFor("the meeting's events", async () => {
        const all = (await job.api("GET", "/webhooks/events?after=0&limit=1000")).body.data.events
        const mine = all.filter((e: { data: { room_id?: string } }) => e.data.room_id === meeting.id)
        return mine.length >= 2 ? mine : undefined
      })
      assert.deepStrictEqual(
        feed.map((e: { type: string }) => e.type),
        ["session.open.success", "peer.join.success"]
      )
      assert.strictEqual(feed[1].data.peer_id, "peer-1")
    })

    it("takes every sample event of the seed as the seed prints it: its own, forwarded or ignored, each 2xx", async () => {
      const meeting = (await job.api("POST", "/meetings", { title: "seed samples" })).body.data
      const now = new Date().toISOString()
      // The seed masks its ids and dates its samples 2021: each masked id becomes this meeting's (or a
      // placeholder), each time now. Nothing else changes: no `app_id` where the seed has none, no sequence.
      const fill = (data: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(data).map(([key, value]) => [
            key,
            typeof value !== "string"
              ? value
              : /^\d{4}-\d\d-\d\dT/.test(value)
                ? now
                : !/^[*-]+$/.test(value)
                  ? value
                  : key === "room_id"
                    ? meeting.id
                    : key === "session_id"
                      ? "rtc-session-seed"
                      : key === "peer_id"
                        ? "peer-seed"
                        : "masked"
          ])
        )
      const samples = SEED_WEBHOOK_SAMPLES.map(
        ({ event }): Record<string, unknown> => ({
          ...event,
          id: crypto.randomUUID(),
          timestamp: now.replace(/\.\d+Z$/, "Z"),
          account_id: job.account,
          ...(event["app_id"] === undefined ? {} : { app_id: job.app }),
          data: fill(event["data"] as Record<string, unknown>)
        })
      )
      // A meeting's life in order: opened, a peer in and out, the failures told, closed, then the room's end.
      const order = [
        "session.open.success",
        "peer.join.success",
        "peer.leave.success",
        "peer.join.failure",
        "peer.leave.failure",
        "role.change.success",
        "role.change.failure",
        "room.end.failure",
        "session.close.success",
        "room.end.success"
      ]
      const rank = (type: unknown) => (order.includes(type as string) ? order.indexOf(type as string) : order.length)
      samples.sort((a, b) => rank(a["type"]) - rank(b["type"]))
      for (const sample of samples) {
        const { body, headers } = signed(sample)
        const answer = await send(body, headers)
        assert.isBelow(answer.status, 300, `${String(sample["type"])}: ${answer.status} ${await answer.text()}`)
      }
      const feed = await waitFor("the meeting's events", async () => {
        const all = (await job.api("GET", "/webhooks/events?after=0&limit=1000")).body.data.events
        const mine = all.filter((e: { data: { room_id?: string } }) => e.data.room_id === meeting.id)
        return mine.length >= order.length ? mine : undefined
      })
      assert.deepStrictEqual(
        feed.map((e: { type: string }) => e.type),
        order
      )
      const joined = feed[1].data
      assert.deepInclude(joined, { peer_id: "peer-seed", user_name: "masked", user_data: "", type: "regular" })
      assert.deepInclude(feed[2].data, { reason: "client request", message: "removed due to misconduct" })
      assert.deepInclude(feed[9].data, { source: "peer", lock_room: false, room_id: meeting.id, template_id: job.app })
      for (const message of feed) {
        assert.deepStrictEqual(seedConformance(message.type, message.data), [], message.type)
        assert.strictEqual(message.template_id, job.app)
      }
    })
  })
})
