import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

const ACCOUNT = "acct_filters"
const base = `/accounts/${ACCOUNT}/realtime/kit/app_1`

describe("list filters and paging over HTTP", () => {
  const server = useServer()

  it("filters by status, meeting, time, and sorts and pages as asked", async () => {
    const token = await server.token(ACCOUNT)
    const list = async (query: string) => {
      const response = await server.call("GET", `${base}/livestreams?${query}`, token)
      assert.strictEqual(response.status, 200, query)
      return response.body.data as {
        livestreams: Array<{ id: string; status: string; created_at: string }>
        paging: any
      }
    }
    const ids: Array<string> = []
    const keys: Array<string> = []
    for (let i = 0; i < 4; i++) {
      const created = (await server.call("POST", `${base}/livestreams`, token, { name: `ls ${i}` })).body.data
      ids.push(created.id)
      keys.push(created.stream_key)
    }
    const meeting = (await server.call("POST", `${base}/meetings`, token, {})).body.data
    const meetingLivestream = (await server.call("POST", `${base}/meetings/${meeting.id}/livestreams`, token, {})).body
      .data
    await server.publish(keys[1]!)

    assert.deepStrictEqual(
      (await list("status=LIVE")).livestreams.map((l) => l.id),
      [ids[1]]
    )
    assert.strictEqual((await list("status=INVOKED")).paging.total_count, 4)
    assert.deepStrictEqual((await list("status=ERRORED")).livestreams, [])
    assert.notInclude(
      (await list("exclude_meetings=true")).livestreams.map((l) => l.id),
      meetingLivestream.id
    )
    assert.include(
      (await list("exclude_meetings=false&per_page=100")).livestreams.map((l) => l.id),
      meetingLivestream.id
    )

    // Search: a part of the name in any case, or the whole id; with the status filter too, counted.
    const found = await list("search=LS%202")
    assert.deepStrictEqual(
      found.livestreams.map((l) => l.id),
      [ids[2]]
    )
    assert.strictEqual(found.paging.total_count, 1)
    assert.strictEqual((await list("search=ls&per_page=100")).paging.total_count, 4)
    assert.deepStrictEqual(
      (await list(`search=${ids[3]}`)).livestreams.map((l) => l.id),
      [ids[3]]
    )
    assert.deepStrictEqual(
      (await list("search=ls&status=LIVE")).livestreams.map((l) => l.id),
      [ids[1]]
    )
    assert.strictEqual((await list("search=nothing%20like%20it")).paging.total_count, 0)
    const tooLong = await server.call("GET", `${base}/livestreams?search=${"x".repeat(256)}`, token)
    assert.strictEqual(tooLong.status, 400)
    assert.match(tooLong.text, /search/)

    const ascending = (await list("sort_order=ASC&per_page=100")).livestreams.map((l) => l.id)
    const descending = (await list("sort_order=DSC&per_page=100")).livestreams.map((l) => l.id)
    assert.deepStrictEqual(ascending, [...descending].reverse())
    assert.deepStrictEqual(ascending.slice(0, 4), ids)

    const all = await list("sort_order=ASC&per_page=100")
    const secondCreated = all.livestreams[1]!.created_at
    const from = await list(`sort_order=ASC&per_page=100&start_time=${encodeURIComponent(secondCreated)}`)
    assert.strictEqual(from.livestreams[0]!.id, all.livestreams[1]!.id, "start_time includes its own instant")
    assert.strictEqual((await list("end_time=2000-01-01T00:00:00Z")).paging.total_count, 0)
    assert.strictEqual((await list("start_time=2999-01-01T00:00:00Z")).paging.total_count, 0)

    assert.deepStrictEqual((await list("per_page=2&page_no=3&sort_order=ASC")).paging, {
      start_offset: 5,
      end_offset: 5,
      total_count: 5
    })
    assert.deepStrictEqual((await list("per_page=100")).paging, { start_offset: 1, end_offset: 5, total_count: 5 })
  })

  it("a repeated list is answered with the handler's own bytes until a change, and only to a token that may see it", async () => {
    const token = await server.token(ACCOUNT)
    const path = `${base}/livestreams?per_page=3&sort_order=DSC`
    const first = await server.call("GET", path, token)
    const again = await server.call("GET", path, token)
    assert.strictEqual(again.status, 200)
    assert.strictEqual(again.text, first.text, "the same bytes while nothing changed")
    const made = (await server.call("POST", `${base}/livestreams`, token, { name: "newest" })).body.data
    const after = await server.call("GET", path, token)
    assert.strictEqual(after.body.data.livestreams[0].id, made.id, "a change is seen at once")
    assert.strictEqual(after.body.data.paging.total_count, first.body.data.paging.total_count + 1)
    // Another app's token, a revoked one, and none at all get the full path's refusals, not the kept answer.
    const otherApp = await server.token(ACCOUNT, ["app_2"])
    assert.strictEqual((await server.call("GET", path, otherApp)).status, 404)
    const revoked = await server.token(ACCOUNT)
    assert.strictEqual((await server.call("GET", path, revoked)).status, 200)
    await server.revoke(revoked)
    assert.strictEqual((await server.call("GET", path, revoked)).status, 401)
    assert.strictEqual((await server.call("GET", path, undefined)).status, 401)
  })

  it("answers an app with no livestreams with an empty page, and refuses paging out of range", async () => {
    const token = await server.token(ACCOUNT)
    const empty = await server.call("GET", `/accounts/${ACCOUNT}/realtime/kit/app_2/livestreams`, token)
    assert.deepStrictEqual(empty.body.data, {
      paging: { start_offset: 0, end_offset: 0, total_count: 0 },
      livestreams: []
    })
    // An app that does not exist is not an empty one.
    const unknown = await server.call("GET", `/accounts/${ACCOUNT}/realtime/kit/empty_app/livestreams`, token)
    assert.strictEqual(unknown.status, 404)
    assert.deepStrictEqual(unknown.body, {
      success: false,
      errors: [{ code: "not_found", message: `app empty_app of account ${ACCOUNT} was not found` }]
    })
    for (const [query, field] of [
      ["per_page=101", "per_page"],
      ["page_no=0", "page_no"],
      ["exclude_meetings=yes", "exclude_meetings"]
    ] as const) {
      const response = await server.call("GET", `${base}/livestreams?${query}`, token)
      assert.strictEqual(response.status, 400, query)
      assert.include(response.body.errors[0].message, field)
    }
  })
})
