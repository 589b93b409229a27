/**
 * What the main job runs on: the event store the environment names, the command path, the catalog and the
 * token index.
 */
import { AccessTokens } from "@onair/application"
import { Webhooks } from "@onair/adapters-webhook"
import { LiveCatalog } from "@onair/analytics"
import { Database } from "@onair/event-store"
import { Layer } from "effect"

export const services = (choice: Database.DatabaseChoice) =>
  Layer.mergeAll(LiveCatalog.commandHandler(), AccessTokens.layer, Webhooks.layer).pipe(
    Layer.provideMerge(LiveCatalog.layer),
    Layer.provideMerge(Database.layer(choice))
  )
