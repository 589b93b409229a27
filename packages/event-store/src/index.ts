/**
 * @onair/event-store: the EventStore port on PostgreSQL (`DATABASE_URL`) or the embedded PGlite default,
 * its migrations, durable subscriptions, projections, checkpoints and leases, and secrets at rest. Storage
 * only: the command path is `@onair/application`.
 */
export * as Migrations from "./Migrations.ts"
export * as SqlEventStore from "./SqlEventStore.ts"
export * as Database from "./Database.ts"
export * as EmbeddedDatabase from "./EmbeddedDatabase.ts"
export * as Subscription from "./Subscription.ts"
export * as DomainEvents from "./DomainEvents.ts"
export * as Projection from "./Projection.ts"
export * as ProjectionWatch from "./ProjectionWatch.ts"
export * as TransactionGate from "./TransactionGate.ts"
export * as ConsumerLease from "./ConsumerLease.ts"
export * as SecretFields from "./SecretFields.ts"
export * from "./SecretKeyring.ts"
export * as SecretRewrap from "./SecretRewrap.ts"
export * as TraceParents from "./TraceParents.ts"
