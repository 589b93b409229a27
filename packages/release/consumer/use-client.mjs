// A plain Node script (no TypeScript, no Effect of its own): the Promise client against a running OnAir.
//   node use-client.mjs <base url> <token> <account id> <app id>
import { createOnAirClient } from "@onair/client"

const [baseUrl, token, account_id, app_id] = process.argv.slice(2)
const onair = createOnAirClient({ baseUrl, token })
const created = await onair.livestreams.createIndependentLivestream({
  params: { account_id, app_id },
  payload: { name: "from another team" },
  headers: {}
})
const list = await onair.livestreams.getAllLivestreams({ params: { account_id, app_id }, query: { per_page: 50 } })
const got = await onair.livestreams.getLivestreamSessionForLivestreamId({
  params: { account_id, app_id, livestream_id: created.data.id },
  query: {}
})
await onair.close()
console.log(
  JSON.stringify({
    created: created.data.id,
    listed: list.data.livestreams.map((l) => l.id),
    got: got.data.livestream.id
  })
)
