/**
 * The API as today's official client drives it: the `cloudflare` npm package (7.3), its `realtimeKit`
 * resources pointed at OnAir (`baseURL`), with an OnAir token as its API token. Apps, livestreams,
 * analytics (Unix-second ranges, day-wise), webhooks (RealtimeKit's shape and event names) and
 * recordings, each call as the SDK makes it, and the SDK's own error classes for OnAir's refusals.
 */
import Cloudflare from "cloudflare"
import { assert, beforeAll, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

const ACCOUNT = "acct_sdk"
const REALTIMEKIT_EVENTS = [
  "meeting.started",
  "meeting.ended",
  "meeting.participantJoined",
  "meeting.participantLeft",
  "meeting.chatSynced",
  "recording.statusUpdate",
  "livestreaming.statusUpdate",
  "meeting.transcript",
  "meeting.summary"
] as const

describe("the cloudflare SDK (7.3) against OnAir", () => {
  const server = useServer()
  let sdk: Cloudflare
  let token: string
  let appId: string

  beforeAll(async () => {
    token = await server.token(ACCOUNT)
    sdk = new Cloudflare({ apiToken: token, baseURL: server.baseUrl, maxRetries: 0 })
  })

  it("apps: post makes one, get lists it with paging, and the new app serves livestreams at once", async () => {
    const made = await sdk.realtimeKit.apps.post({ account_id: ACCOUNT, name: "SDK app" })
    assert.isTrue(made.success)
    appId = made.data!.app!.id!
    assert.match(appId, /^[0-9a-f-]{36}$/)
    const listed = await sdk.realtimeKit.apps.get({
      account_id: ACCOUNT,
      per_page: 10,
      sort_order: "DESC",
      search: "SDK"
    })
    assert.deepStrictEqual(
      listed.data?.map((app) => [app.id, app.name]),
      [[appId, "SDK app"]]
    )
    assert.strictEqual(listed.paging?.total_count, 1)
    const created = await server.call("POST", `/accounts/${ACCOUNT}/realtime/kit/${appId}/livestreams`, token, {
      name: "via sdk"
    })
    assert.strictEqual(created.status, 201, created.text)
    const all = await sdk.realtimeKit.livestreams.getAllLivestreams(appId, {
      account_id: ACCOUNT,
      per_page: 5,
      sort_order: "DSC"
    })
    assert.isTrue(all.success)
    const livestreams = (all.data as { livestreams?: Array<{ id: string; name: string | null }> }).livestreams
    assert.deepStrictEqual(
      livestreams?.map((l) => l.name),
      ["via sdk"]
    )
    const one = await sdk.realtimeKit.livestreams.getLivestreamSessionForLivestreamID(created.body.data.id, {
      account_id: ACCOUNT,
      app_id: appId
    })
    assert.strictEqual((one.data as { livestream?: { id?: string } }).livestream?.id, created.body.data.id)
  })

  it("analytics: Unix-second ranges for the complete figures and per day, and the day-wise org analytics", async () => {
    const end = Math.floor(Date.now() / 1000)
    const start = end - 3 * 86_400
    const complete = await sdk.realtimeKit.livestreams.getLivestreamAnalyticsComplete("app_1", {
      account_id: ACCOUNT,
      start_time: start,
      end_time: end
    })
    assert.isTrue(complete.success)
    assert.strictEqual((complete.data as { count?: number }).count, 0)
    const daywise = await sdk.realtimeKit.livestreams.getLivestreamAnalyticsDaywise("app_1", {
      account_id: ACCOUNT,
      start_time: start,
      end_time: end
    })
    assert.isTrue(daywise.success)
    const days = daywise.data as unknown as Array<{
      date: string
      count: number
      total_ingest_seconds: number
      total_viewer_seconds: number
    }>
    assert.isAtLeast(days.length, 3)
    for (const day of days) {
      assert.match(day.date, /^\d{4}-\d\d-\d\d$/)
      assert.deepStrictEqual([day.count, day.total_ingest_seconds, day.total_viewer_seconds], [0, 0, 0])
    }
    const org = await sdk.realtimeKit.analytics.getOrgAnalytics("app_1", {
      account_id: ACCOUNT,
      start_date: "2026-01-01",
      end_date: "2026-01-03"
    })
    assert.isTrue(org.success)
  })

  it("webhooks: create with RealtimeKit's names, get, list, edit, replace and delete, in RealtimeKit's shape", async () => {
    const created = await sdk.realtimeKit.webhooks.createWebhook("app_1", {
      account_id: ACCOUNT,
      name: "All events webhook",
      url: "https://hooks.example.com/onair",
      events: [...REALTIMEKIT_EVENTS]
    })
    assert.isTrue(created.success)
    const hook = created.data
    assert.deepStrictEqual(
      [hook.name, hook.url, hook.enabled, hook.events],
      ["All events webhook", "https://hooks.example.com/onair", true, [...REALTIMEKIT_EVENTS]]
    )
    for (const field of ["id", "created_at", "updated_at"] as const) assert.isString(hook[field])
    const byId = await sdk.realtimeKit.webhooks.getWebhookByID(hook.id, { account_id: ACCOUNT, app_id: "app_1" })
    assert.strictEqual(byId.data.name, "All events webhook")
    const listed = await sdk.realtimeKit.webhooks.getWebhooks("app_1", { account_id: ACCOUNT })
    assert.include(
      listed.data.map((w) => w.id),
      hook.id
    )

    const edited = await sdk.realtimeKit.webhooks.editWebhook(hook.id, {
      account_id: ACCOUNT,
      app_id: "app_1",
      enabled: false,
      name: "Paused"
    })
    assert.deepStrictEqual(
      [edited.data.name, edited.data.enabled, edited.data.url],
      ["Paused", false, "https://hooks.example.com/onair"]
    )
    const replaced = await sdk.realtimeKit.webhooks.replaceWebhook(hook.id, {
      account_id: ACCOUNT,
      app_id: "app_1",
      name: "Livestreams only",
      url: "https://hooks.example.com/live",
      events: ["livestreaming.statusUpdate"]
    })
    // A replace sets everything it is given, and `enabled` back on since it was not given.
    assert.deepStrictEqual(
      [replaced.data.name, replaced.data.url, replaced.data.events, replaced.data.enabled],
      ["Livestreams only", "https://hooks.example.com/live", ["livestreaming.statusUpdate"], true]
    )
    const deleted = await sdk.realtimeKit.webhooks.deleteWebhook(hook.id, { account_id: ACCOUNT, app_id: "app_1" })
    assert.strictEqual(deleted.data.id, hook.id)
    const gone = await sdk.realtimeKit.webhooks
      .getWebhookByID(hook.id, { account_id: ACCOUNT, app_id: "app_1" })
      .catch((error: unknown) => error)
    assert.instanceOf(gone, Cloudflare.NotFoundError)
  })

  it("recordings: the list at RealtimeKit's path with its paging", async () => {
    const page = await sdk.realtimeKit.recordings.getRecordings("app_1", {
      account_id: ACCOUNT,
      page_no: 1,
      per_page: 20
    })
    assert.isTrue(page.success)
    assert.deepStrictEqual(page.data, [])
    assert.strictEqual(page.paging.total_count, 0)
  })

  it("refusals reach the SDK as its own errors: an unknown app is NotFound, a bad field is BadRequest naming it", async () => {
    const unknown = await sdk.realtimeKit.webhooks
      .getWebhooks("no_such_app", { account_id: ACCOUNT })
      .catch((error: unknown) => error)
    assert.instanceOf(unknown, Cloudflare.NotFoundError)
    const bad = await sdk.realtimeKit.webhooks
      .createWebhook("app_1", {
        account_id: ACCOUNT,
        name: "bad",
        url: "https://hooks.example.com/x",
        events: ["meeting.startd" as never]
      })
      .catch((error: unknown) => error)
    assert.instanceOf(bad, Cloudflare.BadRequestError)
    assert.include(String((bad as Error).message), "events")
    const wrongToken = new Cloudflare({ apiToken: "onair_tok_nope", baseURL: server.baseUrl, maxRetries: 0 })
    const refused = await wrongToken.realtimeKit.apps.get({ account_id: ACCOUNT }).catch((error: unknown) => error)
    assert.instanceOf(refused, Cloudflare.AuthenticationError)
  })
})
