/**
 * @onair/adapters-http: the livestreams API of the seeds over HTTP. The definition is in `./api`
 * (importable alone by clients); handlers, auth and the server are here.
 */
export * from "./api/index.ts"
export * from "./server/AdminHandlers.ts"
export * from "./server/AuthorizationLive.ts"
export * from "./server/KnownApps.ts"
export * from "./server/LivestreamsHandlers.ts"
export * from "./server/Requests.ts"
export * as Server from "./server/Server.ts"
export * as RequestGuard from "./server/RequestGuard.ts"
