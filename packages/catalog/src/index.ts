/**
 * @onair/catalog: the catalog's tables (livestreams, sessions, ingests, meetings, meeting sessions, API
 * tokens, webhook endpoints) kept as a projection of the log, the queries the API, the media plane and
 * webhooks answer from, analytics on them, and the due timers claimed from them.
 */
export * as Analytics from "./Analytics.ts"
export * as Catalog from "./Catalog.ts"
export * from "./CatalogReads.ts"
export * as CatalogMigrations from "./CatalogMigrations.ts"
export * as CatalogProjection from "./CatalogProjection.ts"
export * as CatalogStates from "./CatalogStates.ts"
export * as CatalogStreamKeys from "./CatalogStreamKeys.ts"
export * as CatalogTables from "./CatalogTables.ts"
export * from "./RecordingReads.ts"
export * from "./AppSettingsReads.ts"
export * from "./RestreamReads.ts"
export * from "./AppReads.ts"
export * from "./OperationalReads.ts"
export * from "./HealthHistoryReads.ts"
