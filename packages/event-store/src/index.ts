/**
 * @onair/event-store: the EventStore port on PostgreSQL (`DATABASE_URL`) or the embedded PGlite default,
 * its migrations, durable subscriptions, projections and the command path.
 */
export * as Migrations from "./Migrations.ts"
export * as SqlEventStore from "./SqlEventStore.ts"
export * as Database from "./Database.ts"
export * as EmbeddedDatabase from "./EmbeddedDatabase.ts"
export * as Subscription from "./Subscription.ts"
export * from "./CommandHandler.ts"
export * from "./RetryOnConflict.ts"
export * as DomainEvents from "./DomainEvents.ts"
export * as EventSourcedReader from "./EventSourcedReader.ts"
export * as SnapshotReader from "./SnapshotReader.ts"
export * as StreamKeyIndex from "./StreamKeyIndex.ts"
export * as Projection from "./Projection.ts"
export * as ConsumerLease from "./ConsumerLease.ts"
export * as AggregateCommand from "./AggregateCommand.ts"
export * as InMemoryProjection from "./InMemoryProjection.ts"
export * as TimerWorker from "./TimerWorker.ts"
export * as SecretFields from "./SecretFields.ts"
export * from "./SecretKeyring.ts"
export * as SecretRewrap from "./SecretRewrap.ts"
