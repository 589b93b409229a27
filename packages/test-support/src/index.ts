export * from "./FreshDatabase.ts"
export * from "./MainJob.ts"
export * from "./Receiver.ts"
/** vitest's global setup that provides `postgresUrl` (and declares it for `inject`). */
export { default as postgresSetup } from "./PostgresSetup.ts"
export * from "./RtmpTarget.ts"
export * from "./BenchSummary.ts"
export * from "./StopProcess.ts"
