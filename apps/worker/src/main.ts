/**
 * `node src/main.ts`: the webhook worker alone (outbox and deliveries), for deployments on PostgreSQL
 * (`DATABASE_URL`) that run it beside API processes started with `ONAIR_WEBHOOK_WORKER=off`. Several may
 * run: one holds the outbox's lease, all claim deliveries. On the embedded database the main job runs the
 * worker itself, since only one process can open that database.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Observability, PublicUrlsConfig } from "@onair/application"
import { WebhookWorker } from "@onair/adapters-webhook"
import { Database } from "@onair/event-store"
import { Effect, Layer } from "effect"

// Whatever the worker writes (a key file, say) is its owner's alone.
process.umask(0o077)

const worker = Effect.gen(function* () {
  const choice = yield* Database.choiceFromEnv
  if (choice._tag !== "Postgres") {
    return yield* Effect.die(
      new Error("the worker needs DATABASE_URL (PostgreSQL); on the embedded database the main job runs it")
    )
  }
  yield* Effect.logInfo("webhook worker: outbox and deliveries on PostgreSQL (DATABASE_URL)")
  return yield* Layer.launch(
    Layer.unwrap(Effect.map(Effect.service(PublicUrlsConfig), (urls) => WebhookWorker.layer(urls))).pipe(
      Layer.provide(PublicUrlsConfig.layer),
      Layer.provide(Database.layer(choice, { maxConnections: 8 }))
    )
  )
})

NodeRuntime.runMain(worker.pipe(Effect.provide(Observability.layer("onair-worker"))))
