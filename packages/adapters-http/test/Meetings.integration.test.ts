/**
 * Meetings and their livestreams over HTTP, in the seeds' shapes.
 */
import { LivestreamRecord, MeetingLivestreamStartedRecord, MeetingRecord } from "@onair/core"
import { Schema } from "effect"
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

const ACCOUNT = "acct_meetings"
const base = `/accounts/${ACCOUNT}/realtime/kit/app_1`

describe("meetings over HTTP", () => {
  const server = useServer()
  const call = server.call

  it("creates, reads and lists meetings; starts, reads and stops a meeting's livestream", async () => {
    const token = await server.token(ACCOUNT)
    const created = await call("POST", `${base}/meetings`, token, { title: "Town hall", record_on_start: true })
    assert.strictEqual(created.status, 201)
    const meeting = Schema.decodeUnknownSync(MeetingRecord)(created.body.data)
    assert.deepInclude(meeting, {
      title: "Town hall",
      status: "ACTIVE",
      record_on_start: true,
      live_stream_on_start: false
    })
    assert.deepStrictEqual((await call("GET", `${base}/meetings/${meeting.id}`, token)).body.data, created.body.data)
    const list = await call("GET", `${base}/meetings`, token)
    assert.strictEqual(list.body.data.meetings[0].id, meeting.id)

    assert.strictEqual((await call("GET", `${base}/meetings/${meeting.id}/active-livestream`, token)).status, 404)
    const started = await call("POST", `${base}/meetings/${meeting.id}/livestreams`, token, {
      name: "Town hall live",
      video_config: { width: 1280, height: 720 }
    })
    assert.strictEqual(started.status, 201)
    const livestream = Schema.decodeUnknownSync(MeetingLivestreamStartedRecord)(started.body.data)
    assert.strictEqual(livestream.status, "INVOKED")
    const twice = await call("POST", `${base}/meetings/${meeting.id}/livestreams`, token, {})
    assert.strictEqual(twice.status, 409)
    assert.strictEqual(twice.body.errors[0].code, "livestream_already_active")

    const active = await call("GET", `${base}/meetings/${meeting.id}/active-livestream`, token)
    const record = Schema.decodeUnknownSync(LivestreamRecord)(active.body.data)
    assert.strictEqual(record.id, livestream.id)
    assert.strictEqual(record.meeting_id, meeting.id)
    const excluded = await call("GET", `${base}/livestreams?exclude_meetings=true`, token)
    assert.notInclude(
      excluded.body.data.livestreams.map((l: any) => l.id),
      livestream.id
    )

    const stopped = await call("POST", `${base}/meetings/${meeting.id}/active-livestream/stop`, token)
    assert.deepStrictEqual(stopped.body, { success: true, data: { message: "Stopped live stream successfully" } })
    assert.strictEqual((await call("GET", `${base}/meetings/${meeting.id}/active-livestream`, token)).status, 404)
    assert.strictEqual((await call("POST", `${base}/meetings/${meeting.id}/active-livestream/stop`, token)).status, 404)
  })

  it("refuses bad bodies with the field named, and other apps' meetings with 404", async () => {
    const token = await server.token(ACCOUNT, ["app_1"])
    const meetingId = (await call("POST", `${base}/meetings`, token, {})).body.data.id as string
    for (const [body, field] of [
      [{ video_config: { height: 9000 } }, "height"],
      [{ video_config: { width: 5, height: 720 } }, "width"],
      [{ name: 7 }, "name"]
    ] as const) {
      const response = await call("POST", `${base}/meetings/${meetingId}/livestreams`, token, body)
      assert.strictEqual(response.status, 400, JSON.stringify(body))
      assert.include(response.body.errors[0].message, field)
    }
    // A meeting page: refused at an internal address, naming the field it came from.
    const internal = await call("POST", `${base}/meetings/${meetingId}/livestreams`, token, {
      meeting_url: "http://169.254.169.254/latest/meta-data/"
    })
    assert.strictEqual(internal.status, 400)
    assert.include(internal.body.errors[0].message, "meeting_url: ")
    const templated = await call("PATCH", `${base}/settings`, token, {
      meeting_url_template: "http://10.0.0.7/rooms/{meeting_id}"
    })
    assert.strictEqual(templated.status, 200)
    assert.strictEqual(templated.body.data.meeting_url_template, "http://10.0.0.7/rooms/{meeting_id}")
    const fromTemplate = await call("POST", `${base}/meetings/${meetingId}/livestreams`, token, {})
    assert.strictEqual(fromTemplate.status, 400)
    assert.include(fromTemplate.body.errors[0].message, "meeting_url_template: ")
    const notUrl = await call("PATCH", `${base}/settings`, token, { meeting_url_template: "rooms/{meeting_id}" })
    assert.strictEqual(notUrl.status, 400)
    assert.include(JSON.stringify(notUrl.body.errors), "meeting_url_template")
    // A public page, and no media node to compose it on: 503 in the envelope, nothing started.
    assert.strictEqual((await call("PATCH", `${base}/settings`, token, { meeting_url_template: null })).status, 200)
    const noNode = await call("POST", `${base}/meetings/${meetingId}/livestreams`, token, {
      meeting_url: "https://meet.onair-test.dev/rooms/a"
    })
    assert.strictEqual(noNode.status, 503, JSON.stringify(noNode.body))
    assert.strictEqual(noNode.body.errors[0].code, "no_media_node")
    assert.strictEqual((await call("GET", `${base}/meetings/${meetingId}/active-livestream`, token)).status, 404)
    // One side of video_config alone is the seed's form: the other follows at 16:9.
    const widthAlone = await call("POST", `${base}/meetings/${meetingId}/livestreams`, token, {
      video_config: { width: 1280 }
    })
    assert.strictEqual(widthAlone.status, 201, JSON.stringify(widthAlone.body))

    const other = await server.token(ACCOUNT, ["app_2"])
    const otherBase = `/accounts/${ACCOUNT}/realtime/kit/app_2`
    assert.strictEqual((await call("GET", `${otherBase}/meetings/${meetingId}`, other)).status, 404)
    assert.strictEqual((await call("POST", `${otherBase}/meetings/${meetingId}/livestreams`, other, {})).status, 404)
  })
})
