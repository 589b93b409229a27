/**
 * @onair/catalog: the catalog read model (livestreams, sessions, meetings folded from the log) and the
 * analytics queries the API answers from it.
 */
export * as Analytics from "./Analytics.ts"
export * from "./Catalog.ts"
export * from "./LiveCatalog.ts"
