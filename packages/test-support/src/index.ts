export * from "./MainJob.ts"
export * from "./Receiver.ts"
