/**
 * What the main job runs on: the event store the environment names, the command path, the catalog, the
 * token index, the webhook adapter behind the core's ports the API answers from, and the apps every request is checked against.
 */
import {
  AccessTokens,
  AppCommands,
  AppSettingsCommands,
  CommandHandler,
  MediaNodeCommands,
  RecordingCommands,
  RestreamCommands,
  SrtPortCommands
} from "@onair/application"
import { MeetingUrlGuard, RestreamUrlGuard } from "@onair/outbound"
import { Inbound, Webhooks } from "@onair/adapters-webhook"
import { KnownApps } from "@onair/adapters-http"
import { Catalog } from "@onair/catalog"
import { MediaNodeRegistry } from "@onair/coordination"
import { Database } from "@onair/event-store"
import { Layer } from "effect"

export const services = (choice: Database.DatabaseChoice) =>
  Layer.merge(Inbound.layer, KnownApps.layer).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        CommandHandler.layer(),
        AccessTokens.layer,
        Webhooks.layer,
        MediaNodeCommands.layer,
        RecordingCommands.layer,
        AppSettingsCommands.layer,
        AppCommands.layer,
        RestreamCommands.layer,
        SrtPortCommands.layer,
        RestreamUrlGuard.layer,
        MeetingUrlGuard.layer
      )
    ),
    Layer.provideMerge(Layer.merge(Catalog.layer, MediaNodeRegistry.layer)),
    Layer.provideMerge(Database.layer(choice))
  )
