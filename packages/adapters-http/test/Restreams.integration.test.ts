/**
 * Restream targets over HTTP: create, list, get, change and delete in the envelope; the stream key shown
 * by its last 4 characters only; URLs held to the outbound address rules and to rtmp(s); at most 10 per
 * livestream; other scopes see nothing.
 */
import { assert, describe, it } from "vitest"
import { useServer } from "./support/TestServer.ts"

const ACCOUNT = "acct_restreams"
const base = `/accounts/${ACCOUNT}/realtime/kit/app_1`

describe("restream targets over HTTP", () => {
  const server = useServer()

  it("keeps a livestream's targets with their keys write-only, and their relays idle until it goes live", async () => {
    const token = await server.token(ACCOUNT)
    const livestream = (await server.call("POST", `${base}/livestreams`, token, { name: "simulcast" })).body.data
    const restreams = `${base}/livestreams/${livestream.id}/restreams`
    const made = await server.call("POST", restreams, token, {
      url: "rtmp://a.rtmp.youtube.com/live2",
      stream_key: "abcd-efgh-ijkl-9876"
    })
    assert.strictEqual(made.status, 201, made.text)
    const target = made.body.data
    assert.match(target.id, /^rs_[A-Za-z0-9]{24}$/)
    assert.deepInclude(target, {
      livestream_id: livestream.id,
      name: "a.rtmp.youtube.com",
      url: "rtmp://a.rtmp.youtube.com/live2",
      stream_key_last4: "9876",
      enabled: true,
      status: "idle",
      session_id: null,
      last_error: null
    })
    assert.notInclude(made.text, "abcd-efgh-ijkl", "the key is never shown")

    const twitch = await server.call("POST", restreams, token, {
      url: "rtmps://live.twitch.tv:443/app",
      stream_key: "live_123_xyz",
      name: "Twitch",
      enabled: false
    })
    assert.strictEqual(twitch.status, 201, twitch.text)
    const listed = await server.call("GET", restreams, token)
    assert.deepStrictEqual(
      listed.body.data.restreams.map((r: any) => [r.name, r.enabled]),
      [
        ["a.rtmp.youtube.com", true],
        ["Twitch", false]
      ]
    )
    assert.notInclude(listed.text, "live_123_xyz")

    const renamed = await server.call("PATCH", `${restreams}/${target.id}`, token, {
      name: "YouTube",
      stream_key: "new-key-5555"
    })
    assert.strictEqual(renamed.status, 200, renamed.text)
    assert.deepInclude(renamed.body.data, { name: "YouTube", stream_key_last4: "5555" })
    // A key of 8 characters or fewer shows nothing of itself.
    for (const key of ["k", "abcd", "abcd5678"]) {
      const short = await server.call("PATCH", `${restreams}/${target.id}`, token, { stream_key: key })
      assert.strictEqual(short.status, 200, short.text)
      assert.strictEqual(short.body.data.stream_key_last4, "", key)
      assert.notInclude(short.text, key === "k" ? '"k"' : key)
    }
    assert.strictEqual(
      (await server.call("PATCH", `${restreams}/${target.id}`, token, { stream_key: "abcd56789" })).body.data
        .stream_key_last4,
      "6789"
    )
    assert.strictEqual((await server.call("GET", `${restreams}/${target.id}`, token)).body.data.name, "YouTube")

    assert.strictEqual((await server.call("DELETE", `${restreams}/${target.id}`, token)).status, 200)
    assert.strictEqual((await server.call("GET", `${restreams}/${target.id}`, token)).status, 404)
    assert.strictEqual((await server.call("DELETE", `${restreams}/${target.id}`, token)).status, 404)
    assert.deepStrictEqual(
      (await server.call("GET", restreams, token)).body.data.restreams.map((r: any) => r.name),
      ["Twitch"]
    )
  })

  it("refuses internal addresses, other schemes and malformed fields with 400s naming the field; at most 10 targets", async () => {
    const token = await server.token(ACCOUNT)
    const livestream = (await server.call("POST", `${base}/livestreams`, token, { name: "limits" })).body.data
    const restreams = `${base}/livestreams/${livestream.id}/restreams`
    for (const url of [
      "rtmp://127.0.0.1/live",
      "rtmp://10.0.0.5:1935/live",
      "rtmps://[::1]/live",
      "rtmp://169.254.169.254/latest",
      "rtmp://localhost/live"
    ]) {
      const refused = await server.call("POST", restreams, token, { url, stream_key: "k" })
      assert.strictEqual(refused.status, 400, `${url}: ${refused.text}`)
      assert.match(refused.body.errors[0].message, /^url: /)
    }
    for (const body of [
      { url: "http://example.com/live", stream_key: "k" },
      { url: "rtmp://user:pass@example.com/live", stream_key: "k" },
      { url: "rtmp://example.com/live", stream_key: "has space" },
      { url: "rtmp://example.com/live" }
    ]) {
      const refused = await server.call("POST", restreams, token, body)
      assert.strictEqual(refused.status, 400, `${JSON.stringify(body)}: ${refused.text}`)
    }
    for (let i = 0; i < 10; i++) {
      assert.strictEqual(
        (
          await server.call("POST", restreams, token, {
            url: `rtmp://ingest${i}.example.com/live`,
            stream_key: `key${i}`
          })
        ).status,
        201
      )
    }
    const eleventh = await server.call("POST", restreams, token, {
      url: "rtmp://ingest10.example.com/live",
      stream_key: "key10"
    })
    assert.strictEqual(eleventh.status, 409, eleventh.text)
    assert.strictEqual(eleventh.body.errors[0].code, "too_many_restream_targets")
  })

  it("shows another scope nothing: another app's token gets 404 for the livestream and its targets", async () => {
    const token = await server.token(ACCOUNT)
    const livestream = (await server.call("POST", `${base}/livestreams`, token, { name: "mine" })).body.data
    const made = (
      await server.call("POST", `${base}/livestreams/${livestream.id}/restreams`, token, {
        url: "rtmp://example.com/live",
        stream_key: "k1234"
      })
    ).body.data
    const other = await server.token("acct_other")
    const otherBase = `/accounts/acct_other/realtime/kit/app_1`
    assert.strictEqual(
      (await server.call("GET", `${otherBase}/livestreams/${livestream.id}/restreams`, other)).status,
      404
    )
    assert.strictEqual(
      (await server.call("GET", `${otherBase}/livestreams/${livestream.id}/restreams/${made.id}`, other)).status,
      404
    )
    assert.strictEqual(
      (await server.call("GET", `${base}/livestreams/${crypto.randomUUID()}/restreams/${made.id}`, token)).status,
      404
    )
  })
})
