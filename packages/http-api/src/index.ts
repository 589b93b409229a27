/**
 * @onair/http-api: OnAir's HTTP API as effect `HttpApi` groups and schemas, alone: what the server
 * implements (adapters-http), what the typed client is derived from, and what other teams import. It holds
 * no handler and no server.
 */
export * from "./AdminApi.ts"
export * from "./AnalyticsApi.ts"
export * from "./AppsApi.ts"
export * from "./AppSettingsApi.ts"
export * from "./Envelope.ts"
export * from "./LivestreamsApi.ts"
export * from "./MeetingsApi.ts"
export * from "./OnAirApi.ts"
export * from "./OpenApiDocument.ts"
export * from "./RecordingsApi.ts"
export * from "./RestreamsApi.ts"
export * from "./SrtApi.ts"
export * from "./Scope.ts"
export * from "./Security.ts"
export * from "./WebhooksApi.ts"
