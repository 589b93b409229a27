/**
 * The catalog in a process: its tables migrated and kept by the projection (or on standby while another
 * process keeps them), read through `CatalogReads` and, for the command path, `StreamKeys`, with one watch
 * of the projection's checkpoint shared by all.
 */
import { Layer } from "effect"
import * as CatalogProjection from "./CatalogProjection.ts"
import { CatalogReads, CatalogWatch } from "./CatalogReads.ts"
import * as CatalogStreamKeys from "./CatalogStreamKeys.ts"

export const layer = Layer.mergeAll(CatalogReads.layer, CatalogProjection.layer, CatalogStreamKeys.layer).pipe(
  Layer.provideMerge(CatalogWatch.layer)
)
