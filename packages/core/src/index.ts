/**
 * @onair/core: OnAir's pure domain. Schemas, one decider per aggregate, the workflow that coordinates
 * them, seed views, and the ports adapters implement. Imports nothing but `effect`.
 */
export * as Decider from "./Decider.ts"
export * from "./DomainError.ts"
export * from "./Ids.ts"
export * from "./Time.ts"

export * from "./livestream/DueTimers.ts"
export * from "./livestream/LivestreamCommand.ts"
export { authorisePublish, LivestreamDecider } from "./livestream/LivestreamDecider.ts"
export * from "./livestream/LivestreamError.ts"
export * from "./livestream/LivestreamEvent.ts"
export * from "./livestream/LivestreamState.ts"
export * from "./livestream/LivestreamValues.ts"

export * from "./session/SessionCommand.ts"
export { SessionDecider } from "./session/SessionDecider.ts"
export * from "./session/SessionEndReason.ts"
export * from "./session/SessionError.ts"
export * from "./session/SessionEvent.ts"
export * from "./session/SessionState.ts"

export * from "./ingest/IngestCommand.ts"
export { IngestDecider } from "./ingest/IngestDecider.ts"
export * from "./ingest/IngestError.ts"
export * from "./ingest/IngestEvent.ts"
export * from "./ingest/IngestState.ts"
export * from "./ingest/IngestValues.ts"

export * from "./meeting/MeetingCommand.ts"
export { MeetingDecider } from "./meeting/MeetingDecider.ts"
export * from "./meeting/MeetingError.ts"
export * from "./meeting/MeetingEvent.ts"
export * from "./meeting/MeetingState.ts"
export * from "./meeting/MeetingValues.ts"

export * from "./token/AccessTokenCommand.ts"
export { AccessTokenDecider } from "./token/AccessTokenDecider.ts"
export * from "./token/AccessTokenError.ts"
export * from "./token/AccessTokenEvent.ts"
export * from "./token/AccessTokenState.ts"
export * from "./token/AccessTokenValues.ts"

export * from "./workflow/Change.ts"
export * from "./workflow/Signal.ts"
export * as Workflow from "./workflow/Workflow.ts"
export type { UnitOfWork, WorkflowError } from "./workflow/Workflow.ts"

export * from "./ports/AggregateReader.ts"
export * from "./ports/EventStore.ts"
export * from "./ports/MediaPlane.ts"

export * from "./views/AnalyticsViews.ts"
export * from "./views/IngestSessionStatusView.ts"
export * from "./views/LiveEventStatusView.ts"
export * from "./views/LivestreamViews.ts"
export * from "./views/MeetingViews.ts"
export * from "./views/PublicUrls.ts"
export * from "./views/SeedRecords.ts"
