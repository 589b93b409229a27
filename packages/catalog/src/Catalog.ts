/**
 * The catalog in a process: its tables migrated and kept by the projection (or on standby while another
 * process keeps them), read through `CatalogReads`, with one watch of the projection's checkpoint shared by
 * both.
 */
import { Layer } from "effect"
import * as CatalogProjection from "./CatalogProjection.ts"
import { CatalogReads, CatalogWatch } from "./CatalogReads.ts"

export const layer = Layer.merge(CatalogReads.layer, CatalogProjection.layer).pipe(Layer.provideMerge(CatalogWatch.layer))
