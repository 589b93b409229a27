/**
 * @onair/catalog: the catalog read model (livestreams, sessions, meetings folded from the log) and the
 * analytics queries the API answers from it.
 */
export * as Analytics from "./Analytics.ts"
export * from "./Catalog.ts"
export * from "./LiveCatalog.ts"
export * as CatalogMigrations from "./CatalogMigrations.ts"
export * as DueTimerClaims from "./DueTimerClaims.ts"
export * as LivestreamTable from "./LivestreamTable.ts"
