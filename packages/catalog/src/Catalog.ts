/**
 * The catalog in a process: its tables migrated and kept by the projection (or on standby while another
 * process keeps them), read through `CatalogReads` and, for the command path and the token service,
 * `StreamKeys` and `AccessTokenReads`, with one watch of the projection's checkpoint shared by all. (Media
 * nodes' leases and the due timers' claims, which processes write directly, are `@onair/coordination`'s.)
 */
import { AccessTokenReads } from "@onair/application"
import { Effect, Layer } from "effect"
import * as CatalogProjection from "./CatalogProjection.ts"
import { CatalogReads } from "./CatalogReads.ts"
import { CatalogWatch } from "./CatalogWatch.ts"
import * as CatalogStreamKeys from "./CatalogStreamKeys.ts"
import { RecordingReads } from "./RecordingReads.ts"
import { AppSettingsReads } from "./AppSettingsReads.ts"
import { AppReads } from "./AppReads.ts"
import { HealthHistoryReads } from "./HealthHistoryReads.ts"
import { OperationalReads } from "./OperationalReads.ts"
import { RestreamReads } from "./RestreamReads.ts"

/** The token service's reads, answered by the catalog's token table and its cache. */
const accessTokenReads = Layer.effect(
  AccessTokenReads,
  Effect.map(Effect.service(CatalogReads), (catalog) =>
    AccessTokenReads.of({
      token: catalog.accessToken,
      cached: catalog.cachedAccessToken,
      awaitTransaction: catalog.awaitTransaction
    })
  )
)

export const layer = Layer.mergeAll(
  accessTokenReads,
  CatalogProjection.layer,
  CatalogStreamKeys.layer,
  RecordingReads.layer,
  AppSettingsReads.layer,
  AppReads.layer,
  RestreamReads.layer,
  OperationalReads.layer,
  HealthHistoryReads.layer
).pipe(Layer.provideMerge(CatalogReads.layer), Layer.provideMerge(CatalogWatch.layer))
