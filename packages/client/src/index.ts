/**
 * @onair/client: the typed TypeScript client of the OnAir API.
 */
export * from "./OnAirClient.ts"
export { BadRequest, Conflict, NotFound, Unauthorized } from "@onair/http-api"
