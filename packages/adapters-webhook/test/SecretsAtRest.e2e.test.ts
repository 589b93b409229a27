/**
 * Finding 4's second half: stream keys and webhook signing secrets are not in the log in clear, and the
 * deployment key rotates: `onair secrets rewrap` re-encrypts everything under the new key, after which a
 * main job holding only the new key answers the same stream key and signs with the same secret. A
 * process whose keyring lacks a key the log's secrets are sealed under does not start.
 */
import { freshDatabase, type MainJob, startMainJob, startReceiver, waitFor } from "@onair/test-support"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as Path from "node:path"
import { Webhook } from "standardwebhooks"
import { afterAll, assert, describe, it } from "vitest"

const MAIN = Path.resolve(import.meta.dirname, "../../../apps/api/src/main.ts")
const OLD_KEY = Buffer.alloc(32, 11).toString("base64")
const NEW_KEY = Buffer.alloc(32, 12).toString("base64")
const keyId = (key: string) => createHash("sha256").update(Buffer.from(key, "base64")).digest("hex").slice(0, 8)

describe("secrets at rest", { timeout: 120_000 }, () => {
  const database = freshDatabase("onair_secrets")
  const jobs: Array<MainJob> = []
  afterAll(async () => {
    for (const job of jobs) await job.stop()
    database.drop()
  })
  const start = async (key: string) => {
    const job = await startMainJob({ DATABASE_URL: database.url, ONAIR_MEDIA: "off", ONAIR_SECRET_KEY: key })
    jobs.push(job)
    return job
  }
  // The log and the catalog's tables (read models hold secrets too).
  const rows = () =>
    execFileSync("psql", [database.url, "-qAtc", "SELECT data::text FROM onair_events ORDER BY global_position"], {
      encoding: "utf8"
    }) +
    execFileSync("psql", [database.url, "-qAtc", "SELECT state::text, stream_key FROM onair_livestreams"], {
      encoding: "utf8"
    })

  it("keeps stream keys and signing secrets encrypted, and rotates the deployment key with rewrap", async () => {
    const receiver = await startReceiver()
    const first = await start(OLD_KEY)
    const created = (await first.api("POST", "/livestreams", { name: "secret" })).body.data
    await first.api("POST", `/livestreams/${created.id}/rotate-stream-key`)
    const streamKey = (await first.api("GET", `/livestreams/${created.id}`)).body.data.livestream.stream_key as string
    const endpoint = (await first.api("POST", "/webhooks", { url: receiver.url, events: ["livestream.*"] })).body.data
    const rotated = (await first.api("POST", `/webhooks/${endpoint.id}/rotate-secret`, { overlap_seconds: 0 })).body
      .data
    const secrets = [created.stream_key, streamKey, endpoint.secret, rotated.secret] as Array<string>

    const stored = rows()
    for (const secret of secrets) {
      assert.notInclude(stored, secret)
      assert.notInclude(stored, secret.replace(/^whsec_/, ""))
    }
    assert.include(stored, `enc:v1:${keyId(OLD_KEY)}:`)

    // A replica given another key (or none, so it makes its own) refuses to start, saying which key it lacks,
    // instead of reporting ready and answering 500 on every read of a secret.
    for (const other of [NEW_KEY, ""]) {
      const refused = await start(other).then(
        () => "started",
        (error: Error) => error.message
      )
      assert.include(refused, `the log holds secrets sealed under key ${keyId(OLD_KEY)}`, `with key "${other}"`)
      assert.include(refused, "give every process of this deployment the same ONAIR_SECRET_KEY")
    }
    assert.strictEqual((await first.api("GET", `/livestreams/${created.id}`)).status, 200)
    await first.stop()

    // Rotation: the new key first, the old one still there to read; then the old one goes.
    const out = execFileSync(process.execPath, [MAIN, "secrets", "rewrap"], {
      env: { ...process.env, DATABASE_URL: database.url, ONAIR_SECRET_KEY: `${NEW_KEY},${OLD_KEY}` },
      encoding: "utf8"
    })
    assert.match(out, new RegExp(`^4 of 4 events with secrets re-encrypted under key ${keyId(NEW_KEY)}`))
    const rewrapped = rows()
    assert.notInclude(rewrapped, `enc:v1:${keyId(OLD_KEY)}:`)
    assert.include(rewrapped, `enc:v1:${keyId(NEW_KEY)}:`)
    for (const secret of secrets) assert.notInclude(rewrapped, secret)

    const second = await start(NEW_KEY)
    assert.strictEqual(
      (await second.api("GET", `/livestreams/${created.id}`)).body.data.livestream.stream_key,
      streamKey
    )
    const verifier = new Webhook(rotated.secret)
    const before = receiver.received.length
    await second.api("POST", "/livestreams", { name: "after rotation" })
    const delivered = await waitFor("a webhook after rotation", async () =>
      receiver.received.length > before ? receiver.received.at(-1) : undefined
    )
    verifier.verify(delivered.body, delivered.headers as Record<string, string>)
    await receiver.close()
  })
})
