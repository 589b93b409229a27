/**
 * @onair/client: the typed TypeScript client of the OnAir API: `OnAirClient` for Effect programs, and
 * `createOnAirClient` (Promises) for everyone else.
 */
export * from "./OnAirClient.ts"
export * from "./PromiseClient.ts"
export { BadRequest, Conflict, Forbidden, NotFound, Unauthorized } from "@onair/http-api"
