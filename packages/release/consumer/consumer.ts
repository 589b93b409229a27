/**
 * What another team writes against the published packages, type-checked by the release test in a project
 * outside the workspace (plain npm, the packages from the registry): the Effect client, the Promise client,
 * the API's schemas and the receiver kit, each used with its types.
 */
import { createOnAirClient, NotFound, OnAirClient } from "@onair/client"
import { AccountId, AppId, LivestreamRecord, type LivestreamStatus, WEBHOOK_EVENT_TYPES } from "@onair/core"
import { OnAirApi } from "@onair/http-api"
import { isEventOf, makeReceiver, type Received, type AnyWebhookEvent } from "@onair/webhooks"
import { Effect, Schema } from "effect"

const account_id = AccountId.make("acct_1")
const app_id = AppId.make("app_1")

export const listWithEffect: Effect.Effect<number, unknown> = Effect.gen(function* () {
  const client = yield* OnAirClient
  const page = yield* client.livestreams.getAllLivestreams({ params: { account_id, app_id }, query: { per_page: 10 } })
  return page.data.livestreams.length
}).pipe(Effect.provide(OnAirClient.layer({ baseUrl: "http://localhost:8787", token: "onair_tok_…" })))

export const createWithPromises = async (token: string): Promise<string> => {
  const onair = createOnAirClient({ baseUrl: "http://localhost:8787", token })
  try {
    const created = await onair.livestreams.createIndependentLivestream({
      params: { account_id, app_id },
      payload: { name: "typed" },
      headers: {}
    })
    const status: LivestreamStatus = created.data.status
    return `${created.data.id} ${status}`
  } catch (error) {
    if (error instanceof NotFound) return error.errors[0]?.message ?? "not found"
    throw error
  } finally {
    await onair.close()
  }
}

export const isLivestream = Schema.is(LivestreamRecord)
export const groups: ReadonlyArray<string> = Object.keys(OnAirApi.groups)
export const eventTypes: ReadonlyArray<string> = WEBHOOK_EVENT_TYPES

export const handle = (body: string, headers: Record<string, string>): number => {
  const received: Received = makeReceiver({ secrets: ["whsec_current", "whsec_previous"] }).receive(body, headers)
  if (received._tag !== "Event") return received.status
  const event: AnyWebhookEvent = received.event
  // `data` is typed from the seed's table: `duration` is the seed's int.
  if (isEventOf(event, "ingest.end.success")) return event.data.duration ?? 0
  return received.status
}
