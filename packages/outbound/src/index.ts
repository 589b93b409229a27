export * as AddressPolicy from "./AddressPolicy.ts"
export * from "./OutboundClient.ts"
export * from "./OutboundError.ts"
export * as RestreamUrlGuard from "./RestreamUrlGuard.ts"
