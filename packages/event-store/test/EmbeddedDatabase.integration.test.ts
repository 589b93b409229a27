/**
 * The embedded default: data persists in its directory across restarts, and a second process (or a
 * second open in this one) cannot use a directory that is in use.
 */
import { EventStore } from "@onair/core"
import { Database, EmbeddedDatabase } from "@onair/event-store"
import { Effect, ManagedRuntime } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, it } from "vitest"
import { events, metadata } from "./support/Fixtures.ts"

describe("embedded database", () => {
  it("keeps the log in its data directory across a restart, and refuses a second user of it", async () => {
    const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-persist-"))
    try {
      const first = ManagedRuntime.make(Database.layer({ _tag: "Embedded", dataDir }))
      await first.runPromise(
        Effect.flatMap(Effect.service(EventStore), (store) =>
          store.append("persisted-1", 0, events("Kept", 3), metadata())
        )
      )
      const second = await Effect.runPromise(Effect.scoped(Effect.flip(EmbeddedDatabase.serve(dataDir))))
      assert.strictEqual(second._tag, "EmbeddedDatabaseFailed")
      assert.include(second.message, `in use by process ${process.pid}`)
      await first.dispose()
      assert.isFalse(Fs.existsSync(Path.join(dataDir, "onair.lock")))

      const reopened = ManagedRuntime.make(Database.layer({ _tag: "Embedded", dataDir }))
      const read = await reopened.runPromise(
        Effect.flatMap(Effect.service(EventStore), (store) => store.readStream("persisted-1"))
      )
      await reopened.dispose()
      assert.deepStrictEqual(
        read.events.map((e) => e.type),
        ["Kept", "Kept", "Kept"]
      )
    } finally {
      Fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
