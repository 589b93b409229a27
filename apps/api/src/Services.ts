/**
 * What the main job runs on: the event store the environment names, the command path, the catalog and the
 * token index.
 */
import { AccessTokens } from "@onair/adapters-http"
import { LiveCatalog } from "@onair/analytics"
import { CommandHandler, Database } from "@onair/event-store"
import { Layer } from "effect"

export const services = (choice: Database.DatabaseChoice) =>
  Layer.mergeAll(CommandHandler.layer(), LiveCatalog.layer, AccessTokens.layer).pipe(
    Layer.provideMerge(Database.layer(choice))
  )
