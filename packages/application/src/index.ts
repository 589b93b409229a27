/**
 * @onair/application: the command path (fold, decide, append, retry; send and wait until a read model has
 * it), the timers, and what every entry point needs around a command.
 */
export * as AggregateCommand from "./AggregateCommand.ts"
export * from "./CommandHandler.ts"
export * as EventSourcedReader from "./EventSourcedReader.ts"
export * from "./RetryOnConflict.ts"
export * as StreamKeyIndex from "./StreamKeyIndex.ts"
export * from "./StreamKeys.ts"
export * as TimerWorker from "./TimerWorker.ts"
export * from "./AccessTokens.ts"
export * from "./AccessTokenReads.ts"
export * from "./BroadcastLimitsConfig.ts"
export * from "./PublicUrlsConfig.ts"
export * from "./AwaitReadModel.ts"
export * from "./BackingOffLoop.ts"
export * from "./CurrentTimestamp.ts"
export * from "./MediaNodeCommands.ts"
export * from "./RecordingCommands.ts"
export * from "./RecordingLinks.ts"
export * from "./AppCommands.ts"
export * from "./AppSettingsCommands.ts"
export * from "./RestreamCommands.ts"
