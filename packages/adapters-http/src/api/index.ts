/**
 * @onair/adapters-http/api: the API definition alone, for clients.
 */
export * from "./AdminApi.ts"
export * from "./AnalyticsApi.ts"
export * from "./AppsApi.ts"
export * from "./Envelope.ts"
export * from "./LivestreamsApi.ts"
export * from "./MeetingsApi.ts"
export * from "./OnAirApi.ts"
export * from "./Scope.ts"
export * from "./Security.ts"
