/**
 * The typed client against a real OnAir server: create, list and read, and typed failures.
 */
import { createOnAirClient, NotFound, OnAirClient } from "@onair/client"
import { AccountId, AppId, LivestreamId } from "@onair/core"
import { Effect } from "effect"
import { assert, describe, it } from "vitest"
import { useServer } from "../../adapters-http/test/support/TestServer.ts"

const account_id = AccountId.make("acct_client")
const app_id = AppId.make("app_1")

describe("OnAirClient", () => {
  const server = useServer()

  it("creates, lists and reads livestreams with decoded, typed results", async () => {
    const token = await server.token(account_id)
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const client = yield* OnAirClient
        const created = yield* client.livestreams.createIndependentLivestream({
          params: { account_id, app_id },
          payload: { name: "typed" },
          headers: {}
        })
        const list = yield* client.livestreams.getAllLivestreams({ params: { account_id, app_id }, query: {} })
        const detail = yield* client.livestreams.getLivestreamSessionForLivestreamId({
          params: { account_id, app_id, livestream_id: LivestreamId.make(created.data.id) },
          query: {}
        })
        const missing = yield* Effect.flip(
          client.livestreams.getLivestreamSessionForLivestreamId({
            params: { account_id, app_id, livestream_id: LivestreamId.make(crypto.randomUUID()) },
            query: {}
          })
        )
        return { created, list, detail, missing }
      }).pipe(Effect.provide(OnAirClient.layer({ baseUrl: server.baseUrl, token })))
    )
    assert.strictEqual(outcome.created.data.status, "INVOKED")
    assert.strictEqual(outcome.list.data.livestreams.length, 1)
    assert.strictEqual(outcome.detail.data.livestream.id, outcome.created.data.id)
    assert.strictEqual((outcome.missing as { errors: ReadonlyArray<{ code: string }> }).errors[0]?.code, "not_found")
  })

  it("the Promise client: the same endpoints without Effect, refusals rejecting with the typed error", async () => {
    const token = await server.token(account_id)
    const onair = createOnAirClient({ baseUrl: server.baseUrl, token })
    try {
      const created = await onair.livestreams.createIndependentLivestream({
        params: { account_id, app_id },
        payload: { name: "promised" },
        headers: {}
      })
      assert.strictEqual(created.data.name, "promised")
      const list = await onair.livestreams.getAllLivestreams({
        params: { account_id, app_id },
        query: { per_page: 50 }
      })
      assert.include(
        list.data.livestreams.map((l) => l.id),
        created.data.id
      )
      const detail = await onair.livestreams.getLivestreamSessionForLivestreamId({
        params: { account_id, app_id, livestream_id: LivestreamId.make(created.data.id) },
        query: {}
      })
      assert.strictEqual(detail.data.livestream.id, created.data.id)
      const missing = await onair.livestreams
        .getLivestreamSessionForLivestreamId({
          params: { account_id, app_id, livestream_id: LivestreamId.make(crypto.randomUUID()) },
          query: {}
        })
        .catch((error: unknown) => error)
      assert.instanceOf(missing, NotFound)
      assert.strictEqual((missing as NotFound).errors[0]?.code, "not_found")
    } finally {
      await onair.close()
    }
  })
})
