/**
 * `@onair/event-store/testing`: stores for other packages' tests, the same ones the contract suite runs
 * on (a fresh database on the test PostgreSQL server, or a fresh embedded data directory).
 */
export * from "./Fixtures.ts"
export * from "./Runtime.ts"
export * from "./TestDatabases.ts"
export * from "./Eventually.ts"
export * from "./ReadLog.ts"
export * from "./VisibleEnd.ts"
