/** The catalog projection's checkpoint as this process sees it (ProjectionWatch): what readers after a write wait on. */
import { ProjectionWatch } from "@onair/event-store"
import { Context, Layer } from "effect"
import { PROJECTION } from "./CatalogTables.ts"

export class CatalogWatch extends Context.Service<CatalogWatch, ProjectionWatch.ProjectionWatch>()(
  "@onair/catalog/CatalogWatch"
) {
  static readonly layer = Layer.effect(CatalogWatch, ProjectionWatch.make(PROJECTION))
}
