/**
 * The child process of the crash test: appends units of work in a loop from several fibers and runs a
 * durable subscription, until it is killed. Every acknowledged append is recorded in `acks` and every
 * delivered event in `delivered`, each with a synchronous file append, so the lines survive SIGKILL.
 *
 *   node CrashWriter.ts <workDir>   with DATABASE_URL or ONAIR_DATA_DIR naming the store
 */
import type { Timestamp } from "@onair/core"
import { EventStore, formatPosition, originMetadata } from "@onair/core"
import { Effect, Layer } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Database from "../../src/Database.ts"
import * as Subscription from "../../src/Subscription.ts"
import { CONSUMER, WRITERS } from "./CrashPlan.ts"

const workDir = process.argv[2]
if (workDir === undefined) throw new Error("usage: CrashWriter.ts <workDir>")
const acks = Path.join(workDir, "acks")
const delivered = Path.join(workDir, "delivered")

const writer = (index: number) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    for (let n = 0; ; n++) {
      const commandId = `crash-${index}-${n}`
      const result = yield* store.appendMany(
        [
          {
            stream: `crash-own-${index}`,
            expectedVersion: n * 2,
            events: [
              { type: "Unit", data: { commandId, part: 1, padding: "p".repeat(400) } },
              { type: "Unit", data: { commandId, part: 2, padding: "p".repeat(400) } }
            ]
          },
          {
            stream: "crash-shared",
            expectedVersion: "any",
            events: [{ type: "Unit", data: { commandId, part: 3, padding: "p".repeat(400) } }]
          }
        ],
        originMetadata(commandId, "crash-test", 1_790_000_000_000 as Timestamp)
      )
      Fs.appendFileSync(acks, `${commandId} ${result.transaction}\n`)
    }
  })

const consumer = Subscription.run(
  CONSUMER,
  (events) =>
    Effect.sync(() =>
      Fs.appendFileSync(delivered, events.map((e) => `${e.id} ${formatPosition(e.position)}\n`).join(""))
    ),
  { batchSize: 50, pollInterval: "5 millis", leaseTtl: "1 second" }
)

const program = Effect.all([...Array.from({ length: WRITERS }, (_, i) => writer(i)), consumer], {
  concurrency: "unbounded",
  discard: true
})

Fs.writeFileSync(Path.join(workDir, "started"), String(process.pid))
await Effect.runPromise(
  program.pipe(Effect.provide(Layer.unwrap(Effect.map(Database.choiceFromEnv, (choice) => Database.layer(choice)))))
)
