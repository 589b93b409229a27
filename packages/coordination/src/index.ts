/**
 * @onair/coordination: what processes coordinate through outside the log. Media nodes' leases, written by
 * their heartbeats (a heartbeat is not an event, or the log would grow by one per node every few seconds),
 * with the nodes' state and connections read beside them; and due timers, claimed by one timer worker at a
 * time. Their tables live in the catalog's schema (the timer claim is a column of the livestreams' rows,
 * which the projection frees when the livestream changes); the code that writes them is here, apart from
 * the read models, which only the projection writes.
 */
export * as DueTimerClaims from "./DueTimerClaims.ts"
export * from "./MediaNodeRegistry.ts"
