/**
 * Crash: a child process appends units of work from several fibers and runs a subscription; it is killed
 * with SIGKILL mid-flight. After a restart every acknowledged unit is present, no unit is present in part,
 * and the subscription resumes from its checkpoint: nothing at or before it is delivered again, nothing
 * after it is missed.
 */
import {
  comparePositions,
  EventStore,
  formatPosition,
  LOG_START,
  originMetadata,
  type StoredEvent,
  Timestamp
} from "@onair/core"
import { Database, Subscription } from "@onair/event-store"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, it } from "vitest"
import { CONSUMER, EVENTS_PER_UNIT } from "./support/CrashPlan.ts"
import { eventually } from "./support/Eventually.ts"
import { readLog } from "./support/ReadLog.ts"
import { freshDataDir, freshPostgresUrl, STORE_KINDS, type StoreKind } from "./support/TestDatabases.ts"

const ACKS_BEFORE_KILL = 300
/** The subscription has handled two batches of 50, so it has stored a checkpoint at least once. */
const DELIVERED_BEFORE_KILL = 101

const lines = (file: string): Array<string> =>
  Fs.existsSync(file)
    ? Fs.readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "")
    : []

/**
 * Runs the writer until it has acknowledged enough appends and its subscription has acknowledged a
 * batch, then kills it with SIGKILL.
 */
const runAndKill = (workDir: string, env: Record<string, string>) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [Path.join(import.meta.dirname, "support/CrashWriter.ts"), workDir], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (chunk) => (stderr += String(chunk)))
    const ready = () =>
      lines(Path.join(workDir, "acks")).length >= ACKS_BEFORE_KILL &&
      lines(Path.join(workDir, "delivered")).length >= DELIVERED_BEFORE_KILL
    const timer = setInterval(() => {
      if (ready()) child.kill("SIGKILL")
    }, 5)
    const deadline = setTimeout(() => child.kill("SIGKILL"), 45_000)
    child.on("exit", (code, signal) => {
      clearInterval(timer)
      clearTimeout(deadline)
      if (signal === "SIGKILL" && ready()) resolve()
      else reject(new Error(`the writer ended with ${signal ?? code} before being killed:\n${stderr}`))
    })
  })

const storeFor = (kind: StoreKind) =>
  Effect.gen(function* () {
    if (kind === "postgres") {
      const url = yield* freshPostgresUrl
      return {
        env: { DATABASE_URL: url } as Record<string, string>,
        layer: Database.layer({ _tag: "Postgres", url: Redacted.make(url) })
      }
    }
    const dataDir = yield* freshDataDir
    return { env: { DATABASE_URL: "", ONAIR_DATA_DIR: dataDir }, layer: Database.layer({ _tag: "Embedded", dataDir }) }
  })

for (const kind of STORE_KINDS) {
  describe(`crash: ${kind}`, () => {
    it("after SIGKILL: acknowledged units all there, none in part, the subscription resumes without loss", async () => {
      await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const { env, layer } = yield* storeFor(kind)
            const workDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "onair-crash-"))
            yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(workDir, { recursive: true, force: true })))

            yield* Effect.promise(() => runAndKill(workDir, env))
            const acked = lines(Path.join(workDir, "acks")).map((line) => line.split(" ")[0]!)
            const deliveredBefore = lines(Path.join(workDir, "delivered")).map((line) => line.split(" ")[0]!)

            // Restart: open the same database, as the next process would.
            const runtime = ManagedRuntime.make(layer.pipe(Layer.orDie))
            yield* Effect.addFinalizer(() => Effect.promise(() => runtime.dispose()))
            const after = yield* Effect.promise(() =>
              runtime.runPromise(
                Effect.gen(function* () {
                  const store = yield* EventStore
                  // The log is read below the oldest running transaction of the whole server, which a test
                  // beside this one on the same PostgreSQL may hold open a moment: read until it has moved on.
                  const log = yield* eventually(
                    "every acknowledged unit readable",
                    Effect.map(readLog, (log) => {
                      const commands = new Set(log.map((event) => event.metadata.commandId))
                      return acked.every((id) => commands.has(id)) ? log : undefined
                    }),
                    "10 seconds"
                  ).pipe(Effect.catchTag("NeverHappened", () => readLog))
                  const checkpoint = yield* store.loadCheckpoint(CONSUMER)
                  const deliveredAfter: Array<StoredEvent> = []
                  yield* Subscription.catchUp(CONSUMER, (events) => Effect.sync(() => deliveredAfter.push(...events)))
                  const appendAfterRestart = yield* store.append(
                    "crash-after-restart",
                    0,
                    [{ type: "Alive", data: {} }],
                    originMetadata("after-restart", "crash-test", Timestamp.make(1_790_000_000_000))
                  )
                  return { log, checkpoint, deliveredAfter, appendAfterRestart }
                })
              )
            )

            // Every acknowledged unit is there, whole; no unit is there in part.
            const perCommand = new Map<string, number>()
            for (const event of after.log) {
              const id = event.metadata.commandId
              perCommand.set(id, (perCommand.get(id) ?? 0) + 1)
            }
            for (const id of acked)
              assert.strictEqual(perCommand.get(id), EVENTS_PER_UNIT, `acknowledged ${id} is whole`)
            for (const [id, count] of perCommand) assert.strictEqual(count, EVENTS_PER_UNIT, `${id} is not partial`)
            assert.isAtLeast(acked.length, 300)

            // The log is in one order, and each stream in its own.
            for (let i = 1; i < after.log.length; i++) {
              assert.strictEqual(comparePositions(after.log[i - 1]!.position, after.log[i]!.position), -1)
            }
            const versions = new Map<string, number>()
            for (const event of after.log) {
              assert.strictEqual(event.version, (versions.get(event.stream) ?? 0) + 1, `${event.stream} in order`)
              versions.set(event.stream, event.version)
            }

            // The subscription: before the kill it handled at least everything up to its checkpoint; after the
            // restart it handles exactly what lies after it. Together: the whole log, nothing acknowledged twice.
            assert.strictEqual(comparePositions(after.checkpoint, LOG_START), 1, "the consumer had progressed")
            const upToCheckpoint = after.log.filter((e) => comparePositions(e.position, after.checkpoint) <= 0)
            const handledBefore = new Set(deliveredBefore)
            for (const event of upToCheckpoint)
              assert.isTrue(handledBefore.has(event.id), `handled before: ${event.id}`)
            assert.deepStrictEqual(
              after.deliveredAfter.map((e) => e.id),
              after.log.filter((e) => comparePositions(e.position, after.checkpoint) > 0).map((e) => e.id),
              `after ${formatPosition(after.checkpoint)}: exactly the rest of the log`
            )
            assert.isFalse(after.appendAfterRestart.duplicate)
          })
        )
      )
    }, 120_000)
  })
}
