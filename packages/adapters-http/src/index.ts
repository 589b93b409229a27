/**
 * @onair/adapters-http: the livestreams API of the seeds over HTTP: handlers, auth, the docs page and the
 * server. The definition they implement is `@onair/http-api`.
 */
export * from "./server/AdminHandlers.ts"
export * from "./server/AuthorizationLive.ts"
export { DashboardFiles } from "./server/DashboardPage.ts"
export { HealthOptions } from "./server/Health.ts"
export * as Metrics from "./server/Metrics.ts"
export * from "./server/KnownApps.ts"
export * from "./server/LivestreamsHandlers.ts"
export * from "./server/Requests.ts"
export * as Server from "./server/Server.ts"
export * as RequestGuard from "./server/RequestGuard.ts"
